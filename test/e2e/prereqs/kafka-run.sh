#!/usr/bin/env bash
# kafka-run.sh <main class> [args...]: run a Kafka 4.4.0 class the way the release's
# bin/kafka-run-class.sh does (its last line:
#   exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS
#        $KAFKA_LOG4J_OPTS -cp "$CLASSPATH" $KAFKA_OPTS "$@"
# ), with the same defaults for unset variables:
# - KAFKA_HEAP_OPTS: -Xmx256M for tools; -Xmx1G -Xms1G for kafka.Kafka (bin/kafka-server-start.sh);
# - KAFKA_JVM_PERFORMANCE_OPTS: run-class's G1 settings;
# - KAFKA_LOG4J_OPTS: the broker's log4j2.yaml for kafka.Kafka, else tools-log4j2.yaml (the files
#   of the image's /etc/kafka/docker, kafka.sh's docker/).
# The jars come from kafka.sh's cache (E2E_KAFKA_HOME, fetched on first use when unset).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
if [ -z "${E2E_KAFKA_HOME:-}" ]; then
  eval "$("$here/kafka.sh")"
fi
[ $# -ge 1 ] || { echo "usage: $0 <main class> [args...]" >&2; exit 2; }

if [ "$1" = kafka.Kafka ]; then
  : "${KAFKA_HEAP_OPTS:=-Xmx1G -Xms1G}"
  : "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=$E2E_KAFKA_HOME/docker/log4j2.yaml}"
else
  : "${KAFKA_HEAP_OPTS:=-Xmx256M}"
  : "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=$E2E_KAFKA_HOME/docker/tools-log4j2.yaml}"
fi
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Word splitting of the *_OPTS variables is intended, as in kafka-run-class.
# shellcheck disable=SC2086
exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS ${KAFKA_GC_LOG_OPTS:-} ${KAFKA_JMX_OPTS:-} \
  $KAFKA_LOG4J_OPTS -cp "$E2E_KAFKA_HOME/libs/*" ${KAFKA_OPTS:-} "$@"
