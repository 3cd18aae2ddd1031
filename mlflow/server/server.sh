#!/usr/bin/env bash
# Starts, stops and reports the local MLflow tracking server the pipeline logs to.
#   mlflow/server/server.sh up|down|status
# Settings (environment): MLFLOW_PORT (5000), MLFLOW_HOME (.mlflow, SQLite db + artifacts + pid + log),
# MLFLOW_VENV (.venv-mlflow), MLFLOW_START_TIMEOUT (seconds, 120), MLFLOW_WORKERS (2, as in the
# image: a training streams its checkpoints' models while the others log; one worker is one core).
# `up` does nothing when MLFLOW_TRACKING_URI is set (the user brings a server) or one already answers.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
port="${MLFLOW_PORT:-5000}"
home="${MLFLOW_HOME:-$root/.mlflow}"
venv="${MLFLOW_VENV:-$root/.venv-mlflow}"
timeout="${MLFLOW_START_TIMEOUT:-120}"
workers="${MLFLOW_WORKERS:-2}"
url="http://127.0.0.1:$port"
pidfile="$home/server.pid"
log="$home/server.log"

answers() { curl -sf -o /dev/null --max-time 3 "$1/health"; }

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

up() {
  if [[ -n "${MLFLOW_TRACKING_URI:-}" ]]; then
    echo "MLFLOW_TRACKING_URI=$MLFLOW_TRACKING_URI is set: using that server, not starting one."
    return 0
  fi
  if answers "$url"; then
    echo "MLflow already answers at $url"
    return 0
  fi
  if [[ ! -x "$venv/bin/mlflow" ]]; then
    echo "error: $venv/bin/mlflow is missing; run 'make mlflow-venv' first" >&2
    return 1
  fi
  mkdir -p "$home/artifacts"
  # setsid: the server forks uvicorn workers; its own process group lets 'down' stop them all.
  # Job execution is off: it forks a job runner and several huey consumers that only the GenAI
  # features use, and this machine has few cores.
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$venv/bin/mlflow" server \
    --host 127.0.0.1 --port "$port" --workers "$workers" \
    --backend-store-uri "sqlite:///$home/mlflow.db" \
    --serve-artifacts --artifacts-destination "$home/artifacts" \
    >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local waited=0
  until answers "$url"; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "error: the MLflow server exited during start-up; last lines of $log:" >&2
      tail -n 30 "$log" >&2
      rm -f "$pidfile"
      return 1
    fi
    if (( waited >= timeout )); then
      echo "error: MLflow did not answer $url/health within ${timeout}s; last lines of $log:" >&2
      tail -n 30 "$log" >&2
      down >/dev/null || true
      return 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  echo "MLflow is up at $url (pid $(cat "$pidfile"), ${waited}s; data in $home, log $log)"
}

down() {
  local pid
  if pid="$(running_pid)"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    echo "MLflow stopped (pid $pid)"
  else
    echo "no MLflow server started by make is running"
  fi
  rm -f "$pidfile"
}

status() {
  local target="${MLFLOW_TRACKING_URI:-$url}"
  if answers "$target"; then
    local how="not started by make"
    if pid="$(running_pid)"; then how="pid $pid, data in $home"; fi
    echo "MLflow answers at $target ($how)"
  else
    echo "MLflow does not answer at $target"
    return 1
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
