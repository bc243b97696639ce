#!/usr/bin/env bash
# Stand-in for confluentinc/cp-kafka:7.5.0's /etc/confluent/docker/run: `configure` (the broker's
# properties from its KAFKA_* environment by the image's template rule, with configure's checks),
# `ensure` (format KRaft storage with CLUSTER_ID, leaving formatted storage alone), `launch`.
# test/e2e/prereqs/kafka-properties.py cites the image's sources for each rule.
set -euo pipefail

python3 "$E2E_PREREQS/kafka-properties.py" --configure >/etc/kafka/kafka.properties
# As the image's ensure does it: format, and accept only "already formatted" as a failure.
if ! result=$(kafka-storage format --cluster-id="$CLUSTER_ID" -c /etc/kafka/kafka.properties 2>&1); then
  grep -qi "already formatted" <<<"$result" || {
    echo "$result" >&2
    exit 1
  }
fi
exec kafka-server-start /etc/kafka/kafka.properties
