#!/usr/bin/env bash
# Installs what is missing and brings the whole system up on this machine: Kafka, PostgreSQL,
# Prometheus and the four services. Stop it all with deploy/stack.sh down.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install.sh"
"$root/deploy/stack.sh" up

# The sample plan of Putre 2020-2025 goes in as the catalogue's first revision (or "Sin cambios").
(cd "$root" && .venv/bin/pladeco plan load data/putre-pladeco-2020-2025.yaml \
  --actor demo@muniputre.example --reason "Plan de muestra cargado por deploy/demo.sh")

# The demo's own API key (all units), kept under var/ so that a second run reuses it.
key_file="$root/var/demo-api-key"
if [[ ! -s "$key_file" ]]; then
  (cd "$root" && umask 077 && .venv/bin/pladeco keys create --source-system demo --all-units \
    --actor demo@muniputre.example --description "deploy/demo.sh" >"$key_file")
fi

# A few progress updates, so that data flows from the first minute. The full simulated history of
# Putre 2020-2025 replaces this with issue #8.
for code in INI-001 INI-014 INI-027 INI-040; do
  curl -fsS -X POST http://127.0.0.1:8001/v1/progress -H 'content-type: application/json' \
    -H "authorization: Bearer $(cat "$key_file")" -d "{
    \"event_id\": \"$(cat /proc/sys/kernel/random/uuid)\", \"initiative_code\": \"$code\",
    \"as_of\": \"2025-06-30\", \"physical_progress_pct\": $((RANDOM % 100)),
    \"spent_to_date_clp\": $((RANDOM * 1000)), \"reporter\": \"demo\"}" >/dev/null
done
cat <<MSG

PLADECO is running:
  ingest API      http://127.0.0.1:8001/docs   (AsyncAPI: /asyncapi; key in var/demo-api-key)
  indicators      http://127.0.0.1:8002/readyz   (GIS layers: /v1/gis)
  alerts          http://127.0.0.1:8003/readyz
  notifier        http://127.0.0.1:8004/readyz
  Prometheus      http://127.0.0.1:9090/targets
  logs            $root/var/log/
Status: deploy/stack.sh status     Stop: deploy/stack.sh down
MSG
