#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite. Integration tests use
# KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL when set, testcontainers when a Docker engine answers,
# and otherwise start their own Kafka and PostgreSQL under var/test/ (other ports than the demo;
# PLADECO_TEST_PORT_OFFSET=N moves them by N, so that two checkouts can run their suites at once).
# Extra arguments go to pytest, e.g. deploy/test.sh tests/unit -q
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install.sh"
cd "$root"
exec .venv/bin/python -m pytest "$@"
