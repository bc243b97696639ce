#!/usr/bin/env bash
# The image's `kafka-console-consumer.sh` (Kafka 4.4.0 bin/kafka-console-consumer.sh: org.apache.kafka.tools.consumer.ConsoleConsumer).
exec "${E2E_PREREQS:-$(dirname "$(readlink -f "$0")")/..}/kafka-run.sh" org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
