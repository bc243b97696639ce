#!/usr/bin/env bash
# The image's `kafka-console-producer.sh` (Kafka 4.4.0 bin/kafka-console-producer.sh: org.apache.kafka.tools.ConsoleProducer).
exec "${E2E_PREREQS:-$(dirname "$(readlink -f "$0")")/..}/kafka-run.sh" org.apache.kafka.tools.ConsoleProducer "$@"
