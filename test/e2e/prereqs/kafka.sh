#!/usr/bin/env bash
# Fetches the Apache Kafka release that apache/kafka:4.4.0 runs, from Maven Central, cached.
#
#   test/e2e/prereqs/kafka.sh [--smoke]
#
# stdout: E2E_KAFKA_HOME=<path> (eval-able; not KAFKA_HOME: every KAFKA_* variable in a broker's
# environment becomes a property): <path>/libs/*.jar (classpath) and <path>/docker/ (what the image
# has in /etc/kafka/docker: the default server.properties and the log4j2 files). Run classes with
# kafka-run.sh, or the CLI names the image has with the shims in bin/ (kafka-topics.sh, ...).
# --smoke: also run the image's setup (kafka.docker.KafkaDockerWrapper, from the jars) on the lab's
# KAFKA_* variables, start a combined broker+controller on loopback, run the lab's
# services/kafka/ensure-topics.sh unmodified with bin/ on PATH, produce and consume one message, and
# stop it.
#
# What runs (the image's Dockerfile and scripts: apache/kafka docker/jvm and docker/resources):
# kafka.Kafka, kafka.tools.StorageTool and kafka.docker.KafkaDockerWrapper (which writes the
# properties from the environment and formats storage) are in kafka_2.13; the CLI's tools
# (org.apache.kafka.tools.*: TopicCommand, ConsoleProducer, consumer.ConsoleConsumer,
# BrokerApiVersionsCommand) in kafka-tools. The broker's pom names log4j 2 but no SLF4J binding,
# which the release's libs/ carries: log4j-slf4j-impl at kafka-server's log4j-core version.
set -euo pipefail
source "$(dirname "$0")/common.sh"

KAFKA_VERSION=4.4.0
SCALA_BINARY=2.13
LOG4J_VERSION=2.25.5
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

smoke=$(one_flag --smoke "$@")

# Keyed by version and by a hash of what is written (pom, log4j files), so any pin change rebuilds.
recipe_hash() {
  { write_pom; write_server_defaults; write_log4j; write_tools_log4j; } | sha256sum | cut -c1-8
}
# Maven's local repository is kept in the cache too: every download lives under $E2E_CACHE.
M2_REPO="$E2E_CACHE/m2"

write_pom() {
  cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Throwaway: resolves the Kafka $KAFKA_VERSION broker, its tools and their runtime dependencies. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dataflow-lab.e2e</groupId>
  <artifactId>kafka-libs</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_BINARY</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
}

# /etc/kafka/docker of the image: its default server.properties (docker/server.properties, used
# only when no KAFKA_* property is given, which the lab never does) and the broker's and tools'
# log4j2 files (the release's config/log4j2.yaml and tools-log4j2.yaml; here to the console only,
# where the release's broker file also writes server.log and friends under kafka.logs.dir).
write_server_defaults() {
  cat <<'EOF'
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=/tmp/kraft-combined-logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
EOF
}
write_log4j() {
  cat <<'EOF'
Configuration:
  Appenders:
    Console:
      name: STDOUT
      target: SYSTEM_OUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
EOF
}
write_tools_log4j() {
  cat <<'EOF'
Configuration:
  Appenders:
    Console:
      name: STDERR
      target: SYSTEM_ERR
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDERR
EOF
}

install() {
  if [ -f "$E2E_KAFKA_HOME/libs/kafka_$SCALA_BINARY-$KAFKA_VERSION.jar" ]; then
    log "kafka $KAFKA_VERSION: cached in $E2E_KAFKA_HOME"
    return
  fi
  command -v mvn >/dev/null || die "mvn is not installed"
  local tmp start=$SECONDS
  tmp=$(new_tmp_dir "$E2E_KAFKA_HOME")
  mkdir -p "$tmp/libs" "$tmp/docker"
  write_pom >"$tmp/pom.xml"
  write_server_defaults >"$tmp/docker/server.properties"
  write_log4j >"$tmp/docker/log4j2.yaml"
  write_tools_log4j >"$tmp/docker/tools-log4j2.yaml"
  log "kafka $KAFKA_VERSION: mvn dependency:copy-dependencies (runtime scope) into $tmp/libs ..."
  mvn -B -q -f "$tmp/pom.xml" -Dmaven.repo.local="$M2_REPO" \
    "$DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >&2
  # The build info the jars carry (kafka-clients' kafka/kafka-version.properties).
  local info
  info=$(python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read("kafka/kafka-version.properties").decode())' \
    "$tmp/libs/kafka-clients-$KAFKA_VERSION.jar" | grep -v '^#')
  printf 'kafka=%s\nscala=%s\n%s\njars=%s\nfetch_seconds=%s\n' "$KAFKA_VERSION" "$SCALA_BINARY" \
    "$info" "$(ls "$tmp/libs" | wc -l)" "$((SECONDS - start))" >"$tmp/BUILD-INFO"
  commit_dir "$tmp" "$E2E_KAFKA_HOME"
  log "kafka $KAFKA_VERSION: $(ls "$E2E_KAFKA_HOME/libs" | wc -l) jars, $(du -sh "$E2E_KAFKA_HOME" | cut -f1), in $((SECONDS - start))s"
}

E2E_KAFKA_HOME="$E2E_CACHE/kafka-$KAFKA_VERSION-$(recipe_hash)"
with_lock kafka install

smoke_test() {
  local work pid=
  work=$(mktemp -d /tmp/dfl-kafka-smoke.XXXXXX)
  # shellcheck disable=SC2064
  trap "[ -n \"\${pid:-}\" ] && kill \${pid:-} 2>/dev/null; wait 2>/dev/null; rm -rf '$work'" EXIT
  export E2E_KAFKA_HOME PATH="$E2E_PREREQS_DIR/bin:$PATH"
  local broker controller external local_port=19092
  broker=$(free_port)
  controller=$(free_port)
  external=$(free_port)
  # The lab's health script talks to port 19092 (its LOCAL listener): use it when free.
  local run_health_script=1
  if ! python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", 19092))' 2>/dev/null; then
    log "smoke: 127.0.0.1:19092 is taken; skipping services/kafka/ensure-topics.sh"
    run_health_script=0
    local_port=$(free_port)
  fi

  local cluster_id
  cluster_id=$(KAFKA_HEAP_OPTS=-Xmx64m kafka-storage.sh random-uuid)
  [[ $cluster_id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "unexpected cluster id: $cluster_id"
  # The lab's env (components/streaming/kafka.ts kafkaEnv), ports moved to free loopback ones,
  # through the image's own setup: properties written from KAFKA_*, storage formatted.
  mkdir -p "$work/config" "$work/mounted"
  setup() {
    env -i PATH="$PATH" E2E_KAFKA_HOME="$E2E_KAFKA_HOME" \
      KAFKA_NODE_ID=1 \
      KAFKA_PROCESS_ROLES=broker,controller \
      KAFKA_CONTROLLER_QUORUM_VOTERS="1@127.0.0.1:$controller" \
      KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER \
      KAFKA_LISTENERS="PLAINTEXT://127.0.0.1:$broker,CONTROLLER://127.0.0.1:$controller,EXTERNAL://127.0.0.1:$external,LOCAL://127.0.0.1:$local_port" \
      KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://127.0.0.1:$broker,EXTERNAL://localhost:$external,LOCAL://127.0.0.1:$local_port" \
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,LOCAL:PLAINTEXT \
      KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT \
      KAFKA_LOG_DIRS="$work/data/logs" \
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 \
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 \
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 \
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR=1 \
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR=1 \
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
      KAFKA_HEAP_OPTS="-Xmx128m" \
      CLUSTER_ID="$cluster_id" \
      kafka-run-class.sh kafka.docker.KafkaDockerWrapper setup \
      --default-configs-dir "$E2E_KAFKA_HOME/docker" --mounted-configs-dir "$work/mounted" \
      --final-configs-dir "$work/config"
  }
  log "smoke: KafkaDockerWrapper setup (the image's launch)"
  setup >&2
  log "smoke: server.properties (from KAFKA_* by the image's rule):"
  sed 's/^/    /' "$work/config/server.properties" >&2
  echo >&2
  local out rc=0
  out=$(setup 2>&1) || rc=$?
  grep -qi "already formatted" <<<"$out" || die "second setup: rc=$rc, $out"
  log "smoke: second setup: exit $rc, 'already formatted' (the image's launch tolerates this)"

  local start=$SECONDS
  KAFKA_HEAP_OPTS="-Xms256m -Xmx256m" kafka-server-start.sh "$work/config/server.properties" >"$work/server.log" 2>&1 &
  pid=$!
  wait_for "the broker to listen" 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$broker" ||
    { tail -50 "$work/server.log" >&2; return 1; }
  wait_for "the broker to answer" 60 env KAFKA_HEAP_OPTS=-Xmx64m \
    kafka-broker-api-versions.sh --bootstrap-server "127.0.0.1:$broker" ||
    { tail -50 "$work/server.log" >&2; return 1; }
  log "smoke: broker up in $((SECONDS - start))s: $(grep -o 'Kafka version: [^ ]*' "$work/server.log" | head -1), $(grep -o 'Kafka commitId: [^ ]*' "$work/server.log" | head -1)"

  if [ "$run_health_script" = 1 ]; then
    local script="$E2E_PREREQS_DIR/../../../services/kafka/ensure-topics.sh"
    log "smoke: services/kafka/ensure-topics.sh (creates lab-events, lab-raw; then only a port check)"
    LAB_KAFKA_TOPICS="lab-events lab-raw" LAB_STATE_FILE="$work/topics-state" bash "$script" >&2
    LAB_KAFKA_TOPICS="lab-events lab-raw" LAB_STATE_FILE="$work/topics-state" bash "$script" >&2
    log "smoke: ensure-topics.sh passed twice (the second time only its port check)"
  fi
  KAFKA_HEAP_OPTS=-Xmx64m kafka-topics.sh --bootstrap-server "127.0.0.1:$broker" --create --if-not-exists \
    --topic smoke --partitions 1 --replication-factor 1 >&2
  local topics
  topics=$(KAFKA_HEAP_OPTS=-Xmx64m kafka-topics.sh --bootstrap-server "127.0.0.1:$broker" --list)
  log "smoke: topics: $(tr '\n' ' ' <<<"$topics")"
  grep -qx smoke <<<"$topics" || die "topic smoke missing"

  echo "hello from the e2e smoke test" |
    KAFKA_HEAP_OPTS=-Xmx64m kafka-console-producer.sh --bootstrap-server "127.0.0.1:$broker" --topic smoke >&2
  local got
  got=$(KAFKA_HEAP_OPTS=-Xmx64m kafka-console-consumer.sh --bootstrap-server "127.0.0.1:$broker" \
    --topic smoke --from-beginning --max-messages 1 --timeout-ms 30000 2>/dev/null)
  [ "$got" = "hello from the e2e smoke test" ] || die "consumed '$got'"
  log "smoke: produced and consumed: $got"

  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  grep -q 'shut down completed' "$work/server.log" && log "smoke: broker stopped cleanly (SIGTERM)"
  log "smoke: OK"
}

if [ "$smoke" = 1 ]; then
  (smoke_test)
fi

echo "E2E_KAFKA_HOME=$E2E_KAFKA_HOME"
