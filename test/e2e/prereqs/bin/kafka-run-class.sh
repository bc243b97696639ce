#!/usr/bin/env bash
# The image's `kafka-run-class.sh` (Kafka 4.4.0 bin/kafka-run-class.sh: any class, by name).
exec "${E2E_PREREQS:-$(dirname "$(readlink -f "$0")")/..}/kafka-run.sh" "$@"
