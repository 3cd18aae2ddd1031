#!/bin/sh
# MLflow tracking server of the rankrepro cluster: metadata in PostgreSQL (MLFLOW_DB_PASSWORD;
# host MLFLOW_DB_HOST, default postgres), artifacts proxied from the /mlflow volume.
set -eu
: "${MLFLOW_DB_PASSWORD:?start-mlflow-postgres: MLFLOW_DB_PASSWORD is not set}"
mkdir -p /mlflow/artifacts
# The URI is passed through the environment, not argv, so `ps` does not show the password.
export MLFLOW_BACKEND_STORE_URI="postgresql+psycopg2://mlflow:${MLFLOW_DB_PASSWORD}@${MLFLOW_DB_HOST:-postgres}:5432/mlflow"
exec mlflow server \
  --host 0.0.0.0 --port 5000 \
  --serve-artifacts --artifacts-destination /mlflow/artifacts \
  --workers "${MLFLOW_WORKERS:-2}" \
  "$@"
