#!/usr/bin/env bash
# Prometheus from Debian's packages, scraping every service's /metrics (deploy/prometheus/).
#
#   deploy/prometheus.sh start | stop | status
#
# Settings: PLADECO_VAR_DIR, PLADECO_PROMETHEUS_PORT (9090), PLADECO_PROMETHEUS_RETENTION (400d:
# the boards look back over a year; plan history itself lives in PostgreSQL).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT="${PLADECO_PROMETHEUS_PORT:-9090}"
RETENTION="${PLADECO_PROMETHEUS_RETENTION:-400d}"
CONFIG="$PLADECO_ROOT/deploy/prometheus/prometheus.yml"
DATA="$PLADECO_VAR_DIR/prometheus"

start() {
  command -v prometheus >/dev/null || die "Prometheus is not installed: apt-get install prometheus"
  promtool check config "$CONFIG" >/dev/null || die "$CONFIG is not a valid Prometheus config"
  mkdir -p "$DATA"
  start_process prometheus prometheus --config.file="$CONFIG" --storage.tsdb.path="$DATA" \
    --storage.tsdb.retention.time="$RETENTION" --web.listen-address="127.0.0.1:$PORT"
  wait_for_port prometheus "$PORT" 60
  say "prometheus: ready on http://127.0.0.1:$PORT"
}

case "${1:-}" in
  start) start ;;
  stop) stop_process prometheus 30 ;;
  status) status_line prometheus ;;
  *) die "usage: $0 start|stop|status" ;;
esac
