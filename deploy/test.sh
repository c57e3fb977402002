#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite. Integration tests use
# KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL when set, testcontainers when a Docker engine answers,
# and otherwise start their own Kafka and PostgreSQL under var/test/ (other ports than the demo).
# Extra arguments go to pytest, e.g. deploy/test.sh tests/unit -q
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install.sh"
cd "$root"
exec .venv/bin/python -m pytest "$@"
