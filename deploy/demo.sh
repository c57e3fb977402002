#!/usr/bin/env bash
# Installs what is missing and brings the whole system up on this machine: Kafka, PostgreSQL,
# Prometheus and the four services. Stop it all with deploy/stack.sh down.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install.sh"
"$root/deploy/stack.sh" up
cat <<MSG

PLADECO is running:
  ingest API      http://127.0.0.1:8001/docs   (AsyncAPI: /asyncapi)
  indicators      http://127.0.0.1:8002/readyz
  alerts          http://127.0.0.1:8003/readyz
  notifier        http://127.0.0.1:8004/readyz
  Prometheus      http://127.0.0.1:9090/targets
  logs            $root/var/log/
Status: deploy/stack.sh status     Stop: deploy/stack.sh down
MSG
