#!/usr/bin/env bash
# The whole system on this machine, without Docker: Kafka, PostgreSQL, the five services (the fifth is
# the citizens' portal), Prometheus,
# and an SMTP catcher that keeps the notifier's e-mails as files in var/mail/.
#
#   deploy/stack.sh up       start everything (idempotent), apply migrations, create topics,
#                            wait until every service answers /readyz
#   deploy/stack.sh down     stop every process `up` started, by the pids it recorded
#   deploy/stack.sh status   each process, and each service's readiness
#
# Needs deploy/install.sh to have run once (packages, .venv, Kafka's jars).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVICES=(ingest indicators alerts notifier portal)
declare -A PORTS=([ingest]=8001 [indicators]=8002 [alerts]=8003 [notifier]=8004 [portal]=8005)
PLADECO_BIN="${PLADECO_BIN:-$PLADECO_ROOT/.venv/bin/pladeco}"

wait_ready() {
  local name="$1" port="$2" i
  for ((i = 0; i < 300; i++)); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      say "$name: ready on http://127.0.0.1:$port"
      return 0
    fi
    running_pid "$name" >/dev/null || die "$name exited during start-up; see $LOG_DIR/$name.log:
$(tail -n 5 "$LOG_DIR/$name.log")"
    sleep 0.2
  done
  die "$name is not ready after 60s; see $LOG_DIR/$name.log"
}

up() {
  [[ -x "$PLADECO_BIN" ]] || die "$PLADECO_BIN is missing: run deploy/install.sh first"
  "$PLADECO_ROOT/deploy/kafka.sh" start
  "$PLADECO_ROOT/deploy/postgres.sh" start
  "$PLADECO_BIN" db migrate
  "$PLADECO_BIN" topics ensure >/dev/null
  start_process mailcatcher "$PLADECO_BIN" mailcatcher --port "${PLADECO_SMTP_PORT:-1025}" --dir "$PLADECO_VAR_DIR/mail"
  local name
  for name in "${SERVICES[@]}"; do
    PLADECO_HTTP_PORT="${PORTS[$name]}" start_process "$name" "$PLADECO_BIN" serve "$name"
  done
  for name in "${SERVICES[@]}"; do wait_ready "$name" "${PORTS[$name]}"; done
  "$PLADECO_ROOT/deploy/prometheus.sh" start
}

down() {
  local name
  "$PLADECO_ROOT/deploy/prometheus.sh" stop
  for name in "${SERVICES[@]}"; do stop_process "$name" 30; done
  stop_process mailcatcher 10
  "$PLADECO_ROOT/deploy/kafka.sh" stop
  "$PLADECO_ROOT/deploy/postgres.sh" stop
}

status() {
  local name ready
  for name in kafka postgres prometheus mailcatcher; do status_line "$name"; done
  for name in "${SERVICES[@]}"; do
    ready="$(curl -s "http://127.0.0.1:${PORTS[$name]}/readyz" 2>/dev/null || true)"
    printf '%s  %s\n' "$(status_line "$name")" "${ready:-no answer}"
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: $0 up|down|status" ;;
esac
