#!/bin/bash
# Starts PostgreSQL; on an empty data folder first creates the cluster and one database + role per
# client named in DATABASES ("airflow mlflow"), each role's password from <NAME>_DB_PASSWORD.
# POSTGRES_PASSWORD: the superuser's. No password has a default; a missing one is an error.
# Clients log in over TCP with scram-sha-256 only (no trust, no peer over the network).
set -euo pipefail
die() { echo "postgres-start: $*" >&2; exit 1; }
: "${POSTGRES_PASSWORD:?postgres-start: POSTGRES_PASSWORD is not set}"
DATABASES="${DATABASES:-airflow mlflow}"

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  mkdir -p "$PGDATA"; chmod 700 "$PGDATA"
  pwfile=$(mktemp); trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username=postgres --pwfile="$pwfile" --auth-local=peer --auth-host=scram-sha-256 \
         --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  {
    echo "listen_addresses = '*'"
    echo "password_encryption = 'scram-sha-256'"
    echo "max_connections = 200"
  } >> "$PGDATA/postgresql.conf"
  {
    echo "local all all peer"
    echo "host  all all 0.0.0.0/0 scram-sha-256"
    echo "host  all all ::/0      scram-sha-256"
  } > "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  for db in $DATABASES; do
    var="$(echo "$db" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
    pw="${!var:-}"
    [[ -n "$pw" ]] || die "$var is not set (the password of database role $db)"
    # The password goes in as a psql variable (:'pw' quotes it), never into the SQL text.
    psql -v ON_ERROR_STOP=1 -q -v pw="$pw" -v role="$db" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw';
CREATE DATABASE :"role" OWNER :"role";
SQL
    echo "postgres-start: created database $db"
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec postgres -D "$PGDATA"
