#!/usr/bin/env bash
# The local stack's generated Airflow settings: written once, kept, never committed.
#
#   docker/airflow-settings.sh FILE        (make up: FILE = docker/.build/airflow.env, git-ignored)
#
# FILE (mode 600) holds, as compose env_file lines:
#   AIRFLOW__API_AUTH__JWT_SECRET   random: every Airflow component signs and accepts the same task tokens
#   AIRFLOW_ADMIN_PASSWORD          random: the password of user admin (airflow-init writes it for the
#                                   simple auth manager; `rankrepro airflow` reads it from FILE)
# A value already in FILE is kept, so the password stays what the user was told; a missing one is
# added (a FILE from before the password was generated has only the JWT secret). To choose another
# password, edit FILE and run `make up` again.
set -euo pipefail

FILE="${1:?usage: $0 FILE}"
random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

mkdir -p "$(dirname "$FILE")"
umask 077
touch "$FILE"
chmod 600 "$FILE"  # also a file made before this script, or with a looser umask
has() { grep -q "^$1=." "$FILE"; }
has AIRFLOW__API_AUTH__JWT_SECRET || printf 'AIRFLOW__API_AUTH__JWT_SECRET=%s\n' "$(random_hex 32)" >> "$FILE"
has AIRFLOW_ADMIN_PASSWORD || printf 'AIRFLOW_ADMIN_PASSWORD=%s\n' "$(random_hex 16)" >> "$FILE"
