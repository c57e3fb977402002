# Common helpers for the native stack scripts in deploy/. Sourced, never run.
#
# Every process a script starts runs in the background with its pid in $PLADECO_VAR_DIR/run/NAME.pid
# and its output in $PLADECO_VAR_DIR/log/NAME.log, so that `down` can stop exactly what `up` started.

set -euo pipefail

PLADECO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PLADECO_ROOT
export PLADECO_VAR_DIR="${PLADECO_VAR_DIR:-$PLADECO_ROOT/var}"
RUN_DIR="$PLADECO_VAR_DIR/run"
LOG_DIR="$PLADECO_VAR_DIR/log"
mkdir -p "$RUN_DIR" "$LOG_DIR"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# Prints the pid of NAME if its recorded process is alive; fails otherwise.
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}

# start_process NAME COMMAND...: starts COMMAND in its own session, records its pid.
start_process() {
  local name="$1"; shift
  if pid="$(running_pid "$name")"; then
    say "$name: already running (pid $pid)"
    return 0
  fi
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$(pid_file "$name")"
  say "$name: started (pid $!, log $LOG_DIR/$name.log)"
}

# stop_process NAME [SECONDS]: SIGTERM to the recorded process group, SIGKILL after SECONDS.
stop_process() {
  local name="$1" grace="${2:-30}" pid waited=0
  if ! pid="$(running_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= grace * 10 )); then
      say "$name: did not stop within ${grace}s, killing"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$(pid_file "$name")"
  say "$name: stopped"
}

# wait_for_port NAME PORT SECONDS: waits until 127.0.0.1:PORT accepts connections
# while NAME's process is alive.
wait_for_port() {
  local name="$1" port="$2" timeout="$3" i
  for ((i = 0; i < timeout * 5; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if ! running_pid "$name" >/dev/null; then
      die "$name exited during start-up; last lines of $LOG_DIR/$name.log:
$(tail -n 20 "$LOG_DIR/$name.log" 2>/dev/null)"
    fi
    sleep 0.2
  done
  die "$name did not open port $port within ${timeout}s; see $LOG_DIR/$name.log"
}

status_line() {
  local name="$1" pid
  if pid="$(running_pid "$name")"; then
    printf '%-12s running  pid %s\n' "$name" "$pid"
  else
    printf '%-12s stopped\n' "$name"
  fi
}

# Where the native stack's Kafka and PostgreSQL listen, for the services and the CLI alike.
# With PLADECO_KAFKA_BROKERS=3 (deploy/kafka.sh's cluster) the clients know all three brokers, and
# `pladeco topics ensure` keeps three replicas of each topic (min.insync.replicas 2, shared/topics.py).
if [[ "${PLADECO_KAFKA_BROKERS:-1}" == 3 ]]; then
  _port="${PLADECO_KAFKA_PORT:-9092}"
  export PLADECO_KAFKA_BOOTSTRAP_SERVERS="${PLADECO_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$_port,127.0.0.1:$((_port + 2)),127.0.0.1:$((_port + 4))}"
  export PLADECO_KAFKA_REPLICATION_FACTOR="${PLADECO_KAFKA_REPLICATION_FACTOR:-3}"
  unset _port
else
  export PLADECO_KAFKA_BOOTSTRAP_SERVERS="${PLADECO_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${PLADECO_KAFKA_PORT:-9092}}"
fi
export PLADECO_DATABASE_URL="${PLADECO_DATABASE_URL:-postgresql://${PLADECO_DB_USER:-pladeco}:${PLADECO_DB_PASSWORD:-pladeco}@127.0.0.1:${PLADECO_PG_PORT:-5432}/${PLADECO_DB_NAME:-pladeco}}"
