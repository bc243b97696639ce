#!/usr/bin/env bash
# The image's `kafka-broker-api-versions.sh` (Kafka 4.4.0 bin/kafka-broker-api-versions.sh: org.apache.kafka.tools.BrokerApiVersionsCommand).
exec "${E2E_PREREQS:-$(dirname "$(readlink -f "$0")")/..}/kafka-run.sh" org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
