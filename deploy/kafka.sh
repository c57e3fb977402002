#!/usr/bin/env bash
# Apache Kafka in KRaft mode, from its jars on Maven Central. No Docker needed.
#
#   deploy/kafka.sh fetch    copy the broker's jars into $PLADECO_KAFKA_LIBS (once)
#   deploy/kafka.sh start    format storage on first start, start the broker(s), wait for their ports
#   deploy/kafka.sh stop | status
#   deploy/kafka.sh start-node N | stop-node N    one node of a cluster (restart after a failure)
#
# One node by default (process "kafka", data in $PLADECO_VAR_DIR/kafka/). With PLADECO_KAFKA_BROKERS=3
# (deploy/stack.sh up --brokers 3) a cluster of three nodes on loopback, each broker and controller
# (processes "kafka-1".."kafka-3", data in $PLADECO_VAR_DIR/kafka-N/): node N listens on
# PLADECO_KAFKA_PORT + 2(N-1) and its controller on PLADECO_KAFKA_CONTROLLER_PORT + 2(N-1), so the
# whole cluster moves with those two ports. The cluster keeps three replicas of its internal topics
# and refuses a write that fewer than two replicas hold (min.insync.replicas=2).
#
# Settings (environment): PLADECO_VAR_DIR (data, logs, pids), PLADECO_KAFKA_PORT (9092),
# PLADECO_KAFKA_CONTROLLER_PORT (9093), PLADECO_KAFKA_BROKERS (1 or 3), PLADECO_KAFKA_HEAP (512m),
# PLADECO_KAFKA_LIBS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_PORT="${PLADECO_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${PLADECO_KAFKA_CONTROLLER_PORT:-9093}"
BROKERS="${PLADECO_KAFKA_BROKERS:-1}"
HEAP="${PLADECO_KAFKA_HEAP:-512m}"
LIBS="${PLADECO_KAFKA_LIBS:-$PLADECO_ROOT/var/kafka-libs}"
CONF="$PLADECO_ROOT/deploy/kafka"

[[ "$BROKERS" == 1 || "$BROKERS" == 3 ]] || die "PLADECO_KAFKA_BROKERS must be 1 or 3, not '$BROKERS'"

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

# The process name, data folder and ports of node N (N = 0: the single node).
node_name() { if (( $1 == 0 )); then echo kafka; else echo "kafka-$1"; fi; }
node_data() { if (( $1 == 0 )); then echo "$PLADECO_VAR_DIR/kafka/data"; else echo "$PLADECO_VAR_DIR/kafka-$1/data"; fi; }
node_port() { if (( $1 == 0 )); then echo "$KAFKA_PORT"; else echo $((KAFKA_PORT + 2 * ($1 - 1))); fi; }
node_controller_port() {
  if (( $1 == 0 )); then echo "$CONTROLLER_PORT"; else echo $((CONTROLLER_PORT + 2 * ($1 - 1))); fi
}

voters() {
  local n list=""
  for ((n = 1; n <= BROKERS; n++)); do list+="${list:+,}$n@127.0.0.1:$(node_controller_port "$n")"; done
  echo "$list"
}

# The settings of node N on top of deploy/kafka/server.properties, one per line.
settings() {
  local n="$1"
  echo "listeners=PLAINTEXT://127.0.0.1:$(node_port "$n"),CONTROLLER://127.0.0.1:$(node_controller_port "$n")"
  echo "advertised.listeners=PLAINTEXT://127.0.0.1:$(node_port "$n")"
  echo "log.dirs=$(node_data "$n")"
  if (( n == 0 )); then
    echo "controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT"
    return
  fi
  echo "node.id=$n"
  echo "controller.quorum.voters=$(voters)"
  echo "offsets.topic.replication.factor=3"
  echo "transaction.state.log.replication.factor=3"
  echo "transaction.state.log.min.isr=2"
  echo "share.coordinator.state.topic.replication.factor=3"
  echo "share.coordinator.state.topic.min.isr=2"
  echo "default.replication.factor=3"
  echo "min.insync.replicas=2"
}

format_storage() {
  local n="$1" data props cluster_id
  data="$(node_data "$n")"
  [[ -f "$data/meta.properties" ]] && return 0
  mkdir -p "$data"
  props="$(dirname "$data")/server.properties"
  # StorageTool reads one file: the checked-in config plus this node's ports, folder and quorum.
  { cat "$CONF/server.properties"; settings "$n"; } >"$props"
  if (( n == 0 )); then
    cluster_id="$("$0" __exec kafka.tools.StorageTool random-uuid | tail -n 1)"
    "$0" __exec kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$props" >/dev/null \
      || die "kafka: formatting storage in $data failed"
  else
    # Every node of a cluster is formatted with the same cluster id, kept beside the nodes.
    local id_file="$PLADECO_VAR_DIR/kafka-cluster.id"
    [[ -f "$id_file" ]] || "$0" __exec kafka.tools.StorageTool random-uuid | tail -n 1 >"$id_file"
    cluster_id="$(cat "$id_file")"
    "$0" __exec kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >/dev/null \
      || die "kafka: formatting storage in $data failed"
  fi
  say "$(node_name "$n"): storage formatted in $data (cluster $cluster_id)"
}

launch_node() {
  local n="$1" args=() line port
  if ! running_pid "$(node_name "$n")" >/dev/null; then
    # Another program on the port would answer wait_for_port in this node's stead.
    for port in "$(node_port "$n")" "$(node_controller_port "$n")"; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "$(node_name "$n"): port $port is already in use by another process"
      fi
    done
  fi
  format_storage "$n"
  while IFS= read -r line; do args+=("--override" "$line"); done < <(settings "$n")
  start_process "$(node_name "$n")" "$0" __exec kafka.Kafka "$CONF/server.properties" "${args[@]}"
}

nodes() { if (( BROKERS == 1 )); then echo 0; else seq 1 "$BROKERS"; fi; }

start() {
  command -v java >/dev/null || die "Java 17+ is needed for Kafka: apt-get install openjdk-17-jre-headless"
  fetch
  local n
  for n in $(nodes); do launch_node "$n"; done
  # The nodes of a cluster wait for each other's controllers: start them all, then wait.
  for n in $(nodes); do
    wait_for_port "$(node_name "$n")" "$(node_port "$n")" 120
    say "$(node_name "$n"): ready on 127.0.0.1:$(node_port "$n")"
  done
}

stop() {
  # Whatever was started under this folder, one node or a cluster.
  local name
  for name in kafka kafka-1 kafka-2 kafka-3; do stop_process "$name" 60; done
}

status() {
  local n
  for n in $(nodes); do status_line "$(node_name "$n")"; done
}

one_node() {
  [[ "${2:-}" =~ ^[1-3]$ ]] && (( $2 <= BROKERS && BROKERS > 1 )) || die "usage: $0 $1 N (1..$BROKERS, with PLADECO_KAFKA_BROKERS=3)"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  start-node) one_node "$@"; fetch; launch_node "$2"; wait_for_port "kafka-$2" "$(node_port "$2")" 120 ;;
  stop-node) one_node "$@"; stop_process "kafka-$2" 60 ;;
  __exec) shift; java_cmd "$@" ;;
  *) die "usage: $0 fetch|start|stop|status|start-node N|stop-node N" ;;
esac
