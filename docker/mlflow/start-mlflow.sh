#!/bin/sh
# Starts the MLflow tracking server of the rankrepro stack.
# - SQLite backend and proxied artifacts both on the /mlflow volume, so one volume holds it all.
# - --serve-artifacts: clients upload/download artifacts through this server
#   (/api/2.0/mlflow-artifacts/...), they never need the volume themselves.
# - MLflow >= 3.5 rejects requests whose Host header is not allowed (DNS-rebinding guard);
#   MLFLOW_SERVER_ALLOWED_HOSTS (set in the image, override at `docker run -e`) lists the names
#   containers and the host use: mlflow:5000 on the Docker network, localhost:<port> through a
#   mapped port.
# Extra arguments are passed on to `mlflow server`.
set -e
mkdir -p /mlflow/artifacts
exec mlflow server \
  --host 0.0.0.0 --port 5000 \
  --backend-store-uri sqlite:////mlflow/mlflow.db \
  --serve-artifacts --artifacts-destination /mlflow/artifacts \
  --workers "${MLFLOW_WORKERS:-2}" \
  "$@"
