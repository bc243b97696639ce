#!/usr/bin/env bash
# Fetches the Apache Kafka broker that confluentinc/cp-kafka:7.5.0 ships, from Maven Central, cached.
#
#   test/e2e/prereqs/kafka.sh [--smoke]
#
# stdout: E2E_KAFKA_HOME=<path> (eval-able; not KAFKA_HOME: every KAFKA_* variable in a broker's
# environment becomes a property): <path>/libs/*.jar (classpath), <path>/config/log4j.properties
# (broker) and <path>/config/tools-log4j.properties (tools). Run classes with kafka-run.sh, or the
# CLI names the image has with the shims in bin/ (kafka-topics, kafka-storage, ...).
# --smoke: also format KRaft storage, start a combined broker+controller on loopback from KAFKA_*
# variables (through kafka-properties.py), run the lab's services/kafka/ensure-topics.sh unmodified
# with bin/ first on PATH, list/create topics, produce and consume one message, and stop it.
#
# Version (verified; see README.md): cp-kafka 7.5.0 installs confluent-kafka-7.5.0, built from
# confluentinc/kafka tag v7.5.0 (ff3c201b, gradle.properties version=7.5.0-ccs,
# docs/js/templateData.js fullDotVersion 3.5.0), whose history contains Apache's "Bump version to
# 3.5.0" (c97b88d5db4de28d9f51bb11fb71ddd6217c7dda) and no later Apache 3.5.x fix: so Apache
# Kafka 3.5.0 (+ Confluent build changes, e.g. netty 4.1.96 instead of 4.1.92).
# In 3.5.0 every class the image's CLI calls is in kafka_2.13 (core): kafka.Kafka,
# kafka.tools.StorageTool, kafka.admin.TopicCommand, kafka.tools.ConsoleProducer/ConsoleConsumer,
# kafka.admin.BrokerApiVersionsCommand (bin/*.sh at c97b88d5). kafka-tools (org.apache.kafka.tools.*)
# is added as the distribution has it. core declares log4j compileOnly and no SLF4J binding; the
# distribution bundles reload4j-1.2.25 and slf4j-reload4j-1.7.36 (LICENSE-binary), added here.
set -euo pipefail
source "$(dirname "$0")/common.sh"

KAFKA_VERSION=3.5.0
SCALA_BINARY=2.13
RELOAD4J_VERSION=1.2.25
SLF4J_VERSION=1.7.36
# Apache 3.5.0's build forces netty 4.1.92.Final over ZooKeeper's 4.1.86 (build.gradle
# resolutionStrategy.force, gradle/dependencies.gradle); Maven's nearest-wins would take 4.1.86.
# (CP 7.5.0's own build has 4.1.96.Final; netty serves only the ZooKeeper client, unused in KRaft.)
NETTY_VERSION=4.1.92.Final
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

smoke=$(one_flag --smoke "$@")

# Keyed by version and by a hash of what is written (pom, log4j files), so any pin change rebuilds.
recipe_hash() { { write_pom; write_log4j; write_tools_log4j; } | sha256sum | cut -c1-8; }
# Maven's local repository is kept in the cache too: every download lives under $E2E_CACHE.
M2_REPO="$E2E_CACHE/m2"

write_pom() {
  cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Throwaway: resolves the Kafka $KAFKA_VERSION broker and its runtime dependencies. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dataflow-lab.e2e</groupId>
  <artifactId>kafka-libs</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.netty</groupId>
        <artifactId>netty-bom</artifactId>
        <version>$NETTY_VERSION</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
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
      <groupId>ch.qos.reload4j</groupId>
      <artifactId>reload4j</artifactId>
      <version>$RELOAD4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
}

# The two log4j files cp-kafka 7.5.0 renders with default env (kafka-images v7.5.0
# kafka/include/etc/confluent/docker/log4j.properties.template and tools-log4j.properties.template).
write_log4j() {
  cat <<'EOF'
log4j.rootLogger=INFO, stdout

log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.logger.kafka=INFO
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.kafka.producer.async.DefaultEventHandler=DEBUG
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.controller=TRACE
log4j.logger.kafka.log.LogCleaner=INFO
log4j.logger.state.change.logger=TRACE
log4j.logger.kafka.authorizer.logger=WARN
EOF
}
write_tools_log4j() {
  cat <<'EOF'
log4j.rootLogger=WARN, stderr

log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
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
  mkdir -p "$tmp/libs" "$tmp/config"
  write_pom >"$tmp/pom.xml"
  write_log4j >"$tmp/config/log4j.properties"
  write_tools_log4j >"$tmp/config/tools-log4j.properties"
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

  # The lab's env (components/streaming/kafka.ts kafkaEnv), ports moved to free loopback ones.
  local cluster_id
  cluster_id=$(KAFKA_HEAP_OPTS=-Xmx64m kafka-storage random-uuid)
  [[ $cluster_id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "unexpected cluster id: $cluster_id"
  env -i PATH="$PATH" \
    KAFKA_NODE_ID=1 \
    KAFKA_PROCESS_ROLES=broker,controller \
    KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:$controller" \
    KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER \
    KAFKA_LISTENERS="PLAINTEXT://127.0.0.1:$broker,CONTROLLER://127.0.0.1:$controller,EXTERNAL://127.0.0.1:$external,LOCAL://127.0.0.1:$local_port" \
    KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://127.0.0.1:$broker,EXTERNAL://localhost:$external,LOCAL://127.0.0.1:$local_port" \
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,LOCAL:PLAINTEXT \
    KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT \
    KAFKA_LOG_DIRS="$work/data/logs" \
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 \
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 \
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 \
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
    KAFKA_HEAP_OPTS="-Xms256m -Xmx256m" \
    CLUSTER_ID="$cluster_id" \
    python3 "$E2E_PREREQS_DIR/kafka-properties.py" --configure >"$work/server.properties"
  log "smoke: server.properties (from KAFKA_* by cp-kafka's rule):"
  sed 's/^/    /' "$work/server.properties" >&2

  # As the image's `ensure` does (tolerating an already formatted directory).
  log "smoke: kafka-storage format --cluster-id=$cluster_id"
  KAFKA_HEAP_OPTS=-Xmx64m kafka-storage format --cluster-id="$cluster_id" -c "$work/server.properties" >&2
  local out rc=0
  out=$(KAFKA_HEAP_OPTS=-Xmx64m kafka-storage format --cluster-id="$cluster_id" -c "$work/server.properties" 2>&1) || rc=$?
  grep -qi "already formatted" <<<"$out" || die "second format: rc=$rc, $out"
  log "smoke: second format: exit $rc, 'already formatted' (the image's ensure tolerates this)"

  local start=$SECONDS
  KAFKA_HEAP_OPTS="-Xms256m -Xmx256m" kafka-server-start "$work/server.properties" >"$work/server.log" 2>&1 &
  pid=$!
  wait_for "the broker to listen" 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$broker" ||
    { tail -50 "$work/server.log" >&2; return 1; }
  wait_for "the broker to answer" 60 env KAFKA_HEAP_OPTS=-Xmx64m \
    kafka-broker-api-versions --bootstrap-server "127.0.0.1:$broker" ||
    { tail -50 "$work/server.log" >&2; return 1; }
  log "smoke: broker up in $((SECONDS - start))s: $(grep -o 'Kafka version: [^ ]*' "$work/server.log" | head -1), $(grep -o 'Kafka commitId: [^ ]*' "$work/server.log" | head -1)"
  # The template's missing comma puts KAFKA_HEAP_OPTS into server.properties; Kafka 3.5.0 ignores
  # the unknown key without a word (nothing about it in the log).
  grep -q '^heap.opts=' "$work/server.properties" &&
    log "smoke: heap.opts=… is in server.properties (cp-kafka 7.5.0 quirk); broker log mentions it $(grep -c 'heap.opts' "$work/server.log" || true) times"

  if [ "$run_health_script" = 1 ]; then
    local script="$E2E_PREREQS_DIR/../../../services/kafka/ensure-topics.sh"
    log "smoke: services/kafka/ensure-topics.sh (creates lab-events, lab-raw; then only nc -z)"
    LAB_KAFKA_TOPICS="lab-events lab-raw" LAB_STATE_FILE="$work/topics-state" bash "$script" >&2
    LAB_KAFKA_TOPICS="lab-events lab-raw" LAB_STATE_FILE="$work/topics-state" bash "$script" >&2
    log "smoke: ensure-topics.sh passed twice (the second time only its nc -z port check)"
  fi
  KAFKA_HEAP_OPTS=-Xmx64m kafka-topics --bootstrap-server "127.0.0.1:$broker" --create --if-not-exists \
    --topic smoke --partitions 1 --replication-factor 1 >&2
  KAFKA_HEAP_OPTS=-Xmx64m kafka-topics --bootstrap-server "127.0.0.1:$broker" --create --if-not-exists \
    --topic smoke --partitions 1 --replication-factor 1 >&2
  local topics
  topics=$(KAFKA_HEAP_OPTS=-Xmx64m kafka-topics --bootstrap-server "127.0.0.1:$broker" --list)
  log "smoke: topics: $(tr '\n' ' ' <<<"$topics")"
  grep -qx smoke <<<"$topics" || die "topic smoke missing"

  echo "hello from the e2e smoke test" |
    KAFKA_HEAP_OPTS=-Xmx64m kafka-console-producer --bootstrap-server "127.0.0.1:$broker" --topic smoke >&2
  local got
  got=$(KAFKA_HEAP_OPTS=-Xmx64m kafka-console-consumer --bootstrap-server "127.0.0.1:$broker" \
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
