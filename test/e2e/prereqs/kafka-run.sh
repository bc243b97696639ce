#!/usr/bin/env bash
# kafka-run.sh <main class> [args...]: run a Kafka 3.5.0 class the way cp-kafka 7.5.0's
# kafka-run-class does (confluentinc/kafka v7.5.0 bin/kafka-run-class.sh, last line:
#   exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS
#        $KAFKA_LOG4J_OPTS -cp "$CLASSPATH" $KAFKA_OPTS "$@"
# ), with the same defaults for unset variables:
# - KAFKA_HEAP_OPTS: -Xmx256M for tools; -Xmx1G -Xms1G for kafka.Kafka (bin/kafka-server-start.sh);
# - KAFKA_JVM_PERFORMANCE_OPTS: run-class's G1 settings;
# - KAFKA_LOG4J_OPTS: the broker's log4j.properties (INFO, stdout) for kafka.Kafka, else
#   tools-log4j.properties (WARN, stderr), as the image renders them.
# The jars come from kafka.sh's cache (E2E_KAFKA_HOME, fetched on first use when unset).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
if [ -z "${E2E_KAFKA_HOME:-}" ]; then
  eval "$("$here/kafka.sh")"
fi
[ $# -ge 1 ] || { echo "usage: $0 <main class> [args...]" >&2; exit 2; }

if [ "$1" = kafka.Kafka ]; then
  : "${KAFKA_HEAP_OPTS:=-Xmx1G -Xms1G}"
  : "${KAFKA_LOG4J_OPTS:=-Dlog4j.configuration=file:$E2E_KAFKA_HOME/config/log4j.properties}"
else
  : "${KAFKA_HEAP_OPTS:=-Xmx256M}"
  : "${KAFKA_LOG4J_OPTS:=-Dlog4j.configuration=file:$E2E_KAFKA_HOME/config/tools-log4j.properties}"
fi
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Word splitting of the *_OPTS variables is intended, as in kafka-run-class.
# shellcheck disable=SC2086
exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS ${KAFKA_GC_LOG_OPTS:-} ${KAFKA_JMX_OPTS:-} \
  $KAFKA_LOG4J_OPTS -cp "$E2E_KAFKA_HOME/libs/*" ${KAFKA_OPTS:-} "$@"
