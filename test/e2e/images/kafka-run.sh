#!/usr/bin/env bash
# Stand-in for apache/kafka:4.4.0's CMD, /etc/kafka/docker/run (apache/kafka docker/resources/
# common-scripts and docker/jvm/launch): configureDefaults (CLUSTER_ID's default), configure (its
# checks for a KRaft broker: CLUSTER_ID set, the config folder writable), then launch: the image's
# own KafkaDockerWrapper (from the release's jars) writes /opt/kafka/config from the KAFKA_*
# environment and /etc/kafka/docker, and formats an empty log directory ("already formatted" is
# accepted, as launch does), then the broker starts on the written properties.
set -o nounset -o errexit

: "${CLUSTER_ID:=5L6g3nShT-eMCtK--X86sw}"
if [[ -n "${KAFKA_PROCESS_ROLES-}" && -z "$CLUSTER_ID" ]]; then
  echo "CLUSTER_ID environment variable not set"
  exit 1
fi
if [[ ! -w /opt/kafka/config/ ]]; then
  echo "/opt/kafka/config/ file not writable"
  exit 1
fi

result=$(/opt/kafka/bin/kafka-run-class.sh kafka.docker.KafkaDockerWrapper setup \
  --default-configs-dir /etc/kafka/docker \
  --mounted-configs-dir /mnt/shared/config \
  --final-configs-dir /opt/kafka/config 2>&1) ||
  grep -qi "already formatted" <<<"$result" ||
  { echo "$result" && exit 1; }

exec /opt/kafka/bin/kafka-server-start.sh /opt/kafka/config/server.properties
