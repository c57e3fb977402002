#!/usr/bin/env bash
# PostgreSQL from Debian's packages, as a private cluster under $PLADECO_VAR_DIR/postgres.
#
#   deploy/postgres.sh start   initialise the cluster on first start, start it, create the project's
#                              role and database
#   deploy/postgres.sh stop | status
#
# The server listens on 127.0.0.1 only; its Unix socket sits in a private folder. The project's role
# logs in with a password over TCP (scram-sha-256).
# Settings (environment): PLADECO_VAR_DIR, PLADECO_PG_PORT (5432), PLADECO_DB_NAME (pladeco),
# PLADECO_DB_USER (pladeco), PLADECO_DB_PASSWORD (pladeco: a local default, set your own elsewhere).
# PLADECO_PG_SETTINGS: extra server settings, space-separated name=value (the bench sets
# track_commit_timestamp=on to read each row's commit time).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT="${PLADECO_PG_PORT:-5432}"
DB_NAME="${PLADECO_DB_NAME:-pladeco}"
DB_USER="${PLADECO_DB_USER:-pladeco}"
DB_PASSWORD="${PLADECO_DB_PASSWORD:-pladeco}"
DATA="$PLADECO_VAR_DIR/postgres/data"
SOCKET_DIR="$PLADECO_VAR_DIR/postgres/socket"

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" ]] || die "PostgreSQL is not installed: apt-get install postgresql"
  printf '%s' "$dir"
}
BIN="$(pg_bindir)"

# PostgreSQL refuses to run as root: as root, run its programs as the 'postgres' system user.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

superuser_psql() {
  as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}

# As root the server runs as 'postgres', which must be able to pass through every folder above its
# data (a checkout in a private 0700 folder is not): grant passage (o+x, not read) where missing.
grant_passage() {
  local dir="$PLADECO_VAR_DIR"
  while [[ "$dir" != "/" ]]; do
    if ! runuser -u postgres -- test -x "$dir"; then
      say "postgres: granting passage (o+x) through $dir to the postgres user"
      chmod o+x "$dir"
    fi
    dir="$(dirname "$dir")"
  done
}

init_cluster() {
  [[ "$(id -u)" == 0 ]] && grant_passage
  [[ -f "$DATA/PG_VERSION" ]] && return 0
  mkdir -p "$DATA" "$SOCKET_DIR"
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres:postgres "$PLADECO_VAR_DIR/postgres"; fi
  chmod 700 "$DATA" "$SOCKET_DIR"
  # Local (socket) connections are trusted: the socket folder is readable by its owner only.
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null || die "initdb failed for $DATA"
  say "postgres: cluster initialised in $DATA"
}

# The owner of the tables runs the migrations, which create the services' least-privilege roles
# (migration 0013): it needs CREATEROLE, nothing more.
ensure_role_and_database() {
  superuser_psql -v user="$DB_USER" -v password="$DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'user', :'password') \gexec
SELECT format('ALTER ROLE %I CREATEROLE', :'user') \gexec
-- The citizens' portal reads as portal_reader (migration 0020): the services' user may SET ROLE to it.
SELECT 'CREATE ROLE portal_reader NOLOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal_reader') \gexec
SELECT format('GRANT portal_reader TO %I', :'user') \gexec
SQL
  superuser_psql -v user="$DB_USER" -v db="$DB_NAME" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
}

start() {
  init_cluster
  start_process postgres "$0" __exec
  wait_for_port postgres "$PG_PORT" 60
  local i
  for ((i = 0; i < 100; i++)); do
    as_owner "$BIN/pg_isready" -q -h "$SOCKET_DIR" -p "$PG_PORT" && break
    sleep 0.2
  done
  ensure_role_and_database
  say "postgres: ready on 127.0.0.1:$PG_PORT, database $DB_NAME"
}

case "${1:-}" in
  start) start ;;
  stop) stop_process postgres 60 ;;
  status) status_line postgres ;;
  # The postgres server in the foreground, so that lib.sh records its pid (SIGTERM = smart shutdown).
  __exec)
    server=("$BIN/postgres" -D "$DATA" -p "$PG_PORT" -c listen_addresses=127.0.0.1
      -c unix_socket_directories="$SOCKET_DIR")
    for setting in ${PLADECO_PG_SETTINGS:-}; do server+=(-c "$setting"); done
    if [[ "$(id -u)" == 0 ]]; then exec runuser -u postgres -- "${server[@]}"; fi
    exec "${server[@]}"
    ;;
  *) die "usage: $0 start|stop|status" ;;
esac
