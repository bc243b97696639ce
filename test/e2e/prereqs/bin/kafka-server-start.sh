#!/usr/bin/env bash
# The image's `kafka-server-start.sh` (Kafka 4.4.0 bin/kafka-server-start.sh: kafka.Kafka), with its
# `-loggc`: kafka-run-class.sh makes LOG_DIR (default: the release's logs/, /opt/kafka/logs in the
# image) and the JVM writes its GC log there, refusing to start if it cannot.
: "${LOG_DIR:=$(dirname "$0")/../logs}"
mkdir -p "$LOG_DIR"
: "${KAFKA_GC_LOG_OPTS:=-Xlog:gc*:file=$LOG_DIR/kafkaServer-gc.log:time,tags:filecount=10,filesize=100M}"
export KAFKA_GC_LOG_OPTS
exec "${E2E_PREREQS:-$(dirname "$(readlink -f "$0")")/..}/kafka-run.sh" kafka.Kafka "$@"
