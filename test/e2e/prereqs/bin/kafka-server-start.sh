#!/usr/bin/env bash
# The image's `kafka-server-start.sh` (Kafka 4.4.0 bin/kafka-server-start.sh: kafka.Kafka).
exec "${E2E_PREREQS:-$(dirname "$(readlink -f "$0")")/..}/kafka-run.sh" kafka.Kafka "$@"
