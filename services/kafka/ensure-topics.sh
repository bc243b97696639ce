#!/bin/bash
# Health check of the lab's Kafka broker, run by Docker's healthcheck and Kubernetes' readiness probe.
#
# Healthy means: the broker answers on its in-container LOCAL listener (which needs no Service or
# DNS name to be ready) and every declared topic exists. Missing topics are created here, so the
# topics are declared once (kafka.topics) and exist whenever the broker is reported healthy.
#
# Input (environment): LAB_KAFKA_TOPICS ("lab-events …").
set -euo pipefail
# The image's tools (apache/kafka: /opt/kafka/bin/*.sh), after anything already on PATH.
PATH="$PATH:/opt/kafka/bin"

# Whether 127.0.0.1:$1 accepts a connection: bash's /dev/tcp, nothing the image may lack.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# By address: the LOCAL listener binds 127.0.0.1 only, so no resolver order (::1 first) matters.
bootstrap=127.0.0.1:19092
state="${LAB_STATE_FILE:-/tmp/dataflow-lab-topics}"
wanted="${LAB_KAFKA_TOPICS:-}"

# After the topics exist, a port check suffices: no tool JVM every interval.
if [ -f "$state" ] && [ "$(cat "$state")" = "$wanted" ]; then
  listening 19092
  exit
fi

# The tools start a JVM; keep it small inside the broker's memory limit.
export KAFKA_HEAP_OPTS="-Xmx64m"
existing=$(kafka-topics.sh --bootstrap-server "$bootstrap" --list)
for topic in $wanted; do
  # A whole line, literally: a topic name may hold '.', which a pattern would match anything with.
  if ! grep -qxF -- "$topic" <<<"$existing"; then
    kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
      --topic "$topic" --partitions 1 --replication-factor 1
  fi
done
echo "$wanted" >"$state"
