#!/usr/bin/env bash
# Apache Kafka, single node in KRaft mode, from its jars on Maven Central. No Docker needed.
#
#   deploy/kafka.sh fetch    copy the broker's jars into $PLADECO_KAFKA_LIBS (once)
#   deploy/kafka.sh start    format storage on first start, start the broker, wait for its port
#   deploy/kafka.sh stop | status
#
# Settings (environment): PLADECO_VAR_DIR (data, logs, pids), PLADECO_KAFKA_PORT (9092),
# PLADECO_KAFKA_CONTROLLER_PORT (9093), PLADECO_KAFKA_HEAP (512m), PLADECO_KAFKA_LIBS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_PORT="${PLADECO_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${PLADECO_KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${PLADECO_KAFKA_HEAP:-512m}"
LIBS="${PLADECO_KAFKA_LIBS:-$PLADECO_ROOT/var/kafka-libs}"
DATA="$PLADECO_VAR_DIR/kafka/data"
CONF="$PLADECO_ROOT/deploy/kafka"

fetch() {
  if [[ -f "$LIBS/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka: apt-get install maven"
  say "kafka: fetching the broker's jars from Maven Central into $LIBS"
  rm -rf "$LIBS"
  mvn -q -B -Dstyle.color=never -f "$CONF/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime || die "could not fetch Kafka's jars with Maven"
  touch "$LIBS/.complete"
}

java_cmd() {
  exec java -Xms128m "-Xmx$HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$CONF/log4j2.properties" -Dkafka.logs.dir="$PLADECO_VAR_DIR/log" \
    -cp "$LIBS/*" "$@"
}

overrides() {
  printf '%s\n' \
    "--override" "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT" \
    "--override" "advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT" \
    "--override" "controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT" \
    "--override" "log.dirs=$DATA"
}

format_storage() {
  [[ -f "$DATA/meta.properties" ]] && return 0
  mkdir -p "$DATA"
  local props="$PLADECO_VAR_DIR/kafka/server.properties"
  # StorageTool reads one file: the checked-in config plus this stack's ports and folder.
  {
    cat "$CONF/server.properties"
    echo "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT"
    echo "advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT"
    echo "controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT"
    echo "log.dirs=$DATA"
  } >"$props"
  local cluster_id
  cluster_id="$("$0" __exec kafka.tools.StorageTool random-uuid | tail -n 1)"
  "$0" __exec kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$props" >/dev/null \
    || die "kafka: formatting storage in $DATA failed"
  say "kafka: storage formatted in $DATA (cluster $cluster_id)"
}

start() {
  command -v java >/dev/null || die "Java 17+ is needed for Kafka: apt-get install openjdk-17-jre-headless"
  fetch
  format_storage
  mapfile -t args < <(overrides)
  start_process kafka "$0" __exec kafka.Kafka "$CONF/server.properties" "${args[@]}"
  wait_for_port kafka "$KAFKA_PORT" 90
  say "kafka: ready on 127.0.0.1:$KAFKA_PORT"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop_process kafka 60 ;;
  status) status_line kafka ;;
  __exec) shift; java_cmd "$@" ;;
  *) die "usage: $0 fetch|start|stop|status" ;;
esac
