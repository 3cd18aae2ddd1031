#!/usr/bin/env bash
# Writes the secrets of the distributed stack into FILE (mode 600), once: an existing file is kept,
# so restarts keep the databases' and the admin user's passwords. Every password is random;
# nothing in the stack has a default one (compose refuses to start without this file's values).
#
#   docker/cluster/cluster-env.sh docker/.build/cluster.env      (make up-cluster does this)
#
# Airflow's admin user: AIRFLOW_ADMIN_USER (admin) / AIRFLOW_ADMIN_PASSWORD, from this file.
set -euo pipefail
out="${1:?usage: $0 FILE}"
[[ -s "$out" ]] && exit 0
mkdir -p "$(dirname "$out")"
hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
umask 077
tmp="$(mktemp "$out.XXXXXX")"
{
  echo "# rankrepro cluster secrets, generated $(date -u +%Y-%m-%dT%H:%M:%SZ) by docker/cluster/cluster-env.sh. Keep private."
  echo "POSTGRES_PASSWORD=$(hex 24)"
  echo "AIRFLOW_DB_PASSWORD=$(hex 24)"
  echo "MLFLOW_DB_PASSWORD=$(hex 24)"
  echo "REDIS_PASSWORD=$(hex 24)"
  echo "AIRFLOW_ADMIN_USER=admin"
  echo "AIRFLOW_ADMIN_PASSWORD=$(hex 16)"
  echo "AIRFLOW_JWT_SECRET=$(hex 32)"
  echo "AIRFLOW_SECRET_KEY=$(hex 32)"
  # Fernet: 32 random bytes, url-safe base64.
  echo "AIRFLOW_FERNET_KEY=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_')"
} > "$tmp"
chmod 600 "$tmp"
mv "$tmp" "$out"
echo "cluster-env: wrote $out (mode 600)" >&2
