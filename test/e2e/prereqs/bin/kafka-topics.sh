#!/usr/bin/env bash
# The image's `kafka-topics.sh` (Kafka 4.4.0 bin/kafka-topics.sh: org.apache.kafka.tools.TopicCommand).
exec "${E2E_PREREQS:-$(dirname "$(readlink -f "$0")")/..}/kafka-run.sh" org.apache.kafka.tools.TopicCommand "$@"
