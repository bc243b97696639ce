#!/usr/bin/env bash
# The image's `kafka-storage.sh` (Kafka 4.4.0 bin/kafka-storage.sh: kafka.tools.StorageTool).
exec "${E2E_PREREQS:-$(dirname "$(readlink -f "$0")")/..}/kafka-run.sh" kafka.tools.StorageTool "$@"
