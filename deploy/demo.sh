#!/usr/bin/env bash
# Installs what is missing and brings the whole system up on this machine: Kafka, PostgreSQL,
# Prometheus, the four services and the citizens' portal. Stop it all with deploy/stack.sh down.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$PLADECO_ROOT"
var="$PLADECO_VAR_DIR"
"$root/deploy/install.sh"
# Short notification waits so that a newcomer sees e-mails within a minute (production: 30 s / 5 min).
export PLADECO_NOTIFIER_GROUP_WAIT_S="${PLADECO_NOTIFIER_GROUP_WAIT_S:-5}"
export PLADECO_NOTIFIER_GROUP_INTERVAL_S="${PLADECO_NOTIFIER_GROUP_INTERVAL_S:-30}"
export PLADECO_ALERTS_TICK_S="${PLADECO_ALERTS_TICK_S:-10}"
"$root/deploy/stack.sh" up

# The sample plan of Putre 2020-2025 goes in as the catalogue's first revision (or "Sin cambios").
(cd "$root" && .venv/bin/pladeco plan load data/putre-pladeco-2020-2025.yaml \
  --actor demo@muniputre.example --reason "Plan de muestra cargado por deploy/demo.sh")

# The demo's own API key (all units), kept under var/ so that a second run reuses it.
key_file="$var/demo-api-key"
if [[ ! -s "$key_file" ]]; then
  (cd "$root" && umask 077 && .venv/bin/pladeco keys create --source-system demo --all-units \
    --actor demo@muniputre.example --description "deploy/demo.sh" >"$key_file")
fi

# Putre's 2020-2025 history, simulated and streamed through the ingest API (a few seconds).
(cd "$root" && PLADECO_API_KEY="$(cat "$key_file")" .venv/bin/pladeco simulate --rate 400)

# Boards fill at once; alerts follow the figures, and their e-mails arrive in var/mail/ after the
# notifier's group wait.
for ((i = 0; i < 90; i++)); do
  mails=$(ls "$var/mail" 2>/dev/null | wc -l)
  ((mails > 0)) && break
  sleep 1
done
echo "demo: $(ls "$var/mail" 2>/dev/null | wc -l) e-mails in $var/mail/ so far" >&2
cat <<MSG

PLADECO is running:
  citizens' portal http://127.0.0.1:8005/   (map: /mapa, open data: /datos)
  ingest API      http://127.0.0.1:8001/docs   (AsyncAPI: /asyncapi; key in var/demo-api-key)
  indicators      http://127.0.0.1:8002/readyz   (GIS layers: /v1/gis)
  alerts          http://127.0.0.1:8003/readyz
  notifier        http://127.0.0.1:8004/readyz
  Prometheus      http://127.0.0.1:9090/targets
  e-mails         $var/mail/   (the SMTP catcher)
  scorecard       psql: SELECT * FROM scorecard.rollup WHERE level = 'axis';
  logs            $var/log/
Status: deploy/stack.sh status     Stop: deploy/stack.sh down
MSG
