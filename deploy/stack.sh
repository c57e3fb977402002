#!/usr/bin/env bash
# The whole system on this machine, without Docker: Kafka, PostgreSQL, the five services (the fifth is
# the citizens' portal), Prometheus,
# and an SMTP catcher that keeps the notifier's e-mails as files in var/mail/.
#
#   deploy/stack.sh up       start everything (idempotent), apply migrations, create topics,
#                            wait until every service answers /readyz
#   deploy/stack.sh up --brokers 3
#                            the same on a three-broker Kafka cluster on loopback (deploy/kafka.sh):
#                            topics with three replicas, min.insync.replicas 2
#   deploy/stack.sh down     stop every process `up` started, by the pids it recorded
#   deploy/stack.sh status   each process, and each service's readiness
#
# Needs deploy/install.sh to have run once (packages, .venv, Kafka's jars).
COMMAND="${1:-}"
if [[ "${2:-}" == "--brokers" ]]; then
  [[ "${3:-}" == 1 || "${3:-}" == 3 ]] || { echo "error: --brokers takes 1 or 3" >&2; exit 2; }
  export PLADECO_KAFKA_BROKERS="$3"
elif [[ -n "${2:-}" ]]; then
  echo "usage: $0 up [--brokers 1|3] | down | status" >&2; exit 2
fi
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

# The acknowledge-link secret the alert service and the notifier share: PLADECO_ALERTS_LINK_SECRET
# when set, else one generated once under var/ (never a default from the repository).
link_secret() {
  local file="$PLADECO_VAR_DIR/secrets/alerts-link-secret"
  if [[ -z "${PLADECO_ALERTS_LINK_SECRET:-}" ]]; then
    if [[ ! -s "$file" ]]; then
      mkdir -p "$(dirname "$file")" && chmod 700 "$(dirname "$file")"
      (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$file")
      say "alerts: generated the acknowledge-link secret in $file"
    fi
    PLADECO_ALERTS_LINK_SECRET="$(cat "$file")"
  fi
  export PLADECO_ALERTS_LINK_SECRET
}

# Each service connects as its own least-privilege role (migration 0013); the migrations and the
# CLI use the owner. The roles' passwords are generated once under var/secrets/db/.
DB_SECRETS="$PLADECO_VAR_DIR/secrets/db"
role_url() {
  local role="$1"
  sed -E "s#^(postgres(ql)?://)[^@/]*@#\1$role:$(cat "$DB_SECRETS/$role")@#" <<<"$PLADECO_DATABASE_URL"
}

up() {
  [[ -x "$PLADECO_BIN" ]] || die "$PLADECO_BIN is missing: run deploy/install.sh first"
  link_secret
  "$PLADECO_ROOT/deploy/kafka.sh" start
  "$PLADECO_ROOT/deploy/postgres.sh" start
  "$PLADECO_BIN" db migrate
  "$PLADECO_BIN" db passwords --dir "$DB_SECRETS" >/dev/null
  "$PLADECO_BIN" topics ensure >/dev/null
  start_process mailcatcher "$PLADECO_BIN" mailcatcher --port "${PLADECO_SMTP_PORT:-1025}" --dir "$PLADECO_VAR_DIR/mail"
  local name
  for name in "${SERVICES[@]}"; do
    # The portal logs in as the owner and reads only as portal_reader (SET ROLE, migration 0020).
    local url="$PLADECO_DATABASE_URL"
    [[ "$name" == portal ]] || url="$(role_url "pladeco_$name")"
    PLADECO_HTTP_PORT="${PORTS[$name]}" PLADECO_DATABASE_URL="$url" start_process "$name" "$PLADECO_BIN" serve "$name"
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
  "$PLADECO_ROOT/deploy/kafka.sh" status
  for name in postgres prometheus mailcatcher; do status_line "$name"; done
  for name in "${SERVICES[@]}"; do
    ready="$(curl -s "http://127.0.0.1:${PORTS[$name]}/readyz" 2>/dev/null || true)"
    printf '%s  %s\n' "$(status_line "$name")" "${ready:-no answer}"
  done
}

case "$COMMAND" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: $0 up [--brokers 1|3] | down | status" ;;
esac
