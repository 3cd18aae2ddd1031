#!/usr/bin/env bash
# Build one image of the distributed stack (docker/cluster/compose.yaml) from a small staged
# context, like docker/build-image.sh does for the single-host images (whose images two of
# these start FROM: build those first, `make images`).
#
#   docker/cluster/build.sh postgres|redis|mlflow|airflow   -> rankrepro-<name>-cluster:latest
#   docker/cluster/build.sh all
# CLUSTER_TASKS_IMAGE: the task image the workers are made from (default rankrepro-tasks:latest).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TASKS_IMAGE="${CLUSTER_TASKS_IMAGE:-rankrepro-tasks:latest}"
log() { printf '[cluster image %s] %s\n' "${NAME:-}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

build() {
  NAME="$1"
  local image="rankrepro-$NAME-cluster:${IMAGE_TAG:-latest}" ctx="$ROOT/docker/.build/cluster-$NAME"
  local args=()
  rm -rf "$ctx"; mkdir -p "$ctx/extra-ca"
  case "$NAME" in
    postgres) cp "$HERE/postgres-start.sh" "$ctx/" ;;
    redis)    cp "$HERE/redis-start.sh" "$ctx/" ;;
    mlflow)   need rankrepro-mlflow:latest; cp "$HERE/mlflow-start.sh" "$ctx/"; extra_ca "$ctx" ;;
    airflow)  need rankrepro-airflow:latest; need "$TASKS_IMAGE"
              args+=(--build-arg "TASKS_IMAGE=$TASKS_IMAGE")
              cp "$HERE/requirements.txt" "$HERE/constraints.txt" "$ctx/"
              # docker/airflow's pins, less the packages the cluster's constraints.txt pins otherwise
              grep -v -i -E "^($(sed -n -E 's/^([A-Za-z0-9_.-]+)==.*/\1/p' "$HERE/constraints.txt" | paste -sd'|' -))==" \
                "$ROOT/docker/airflow/constraints.txt" > "$ctx/airflow-constraints.txt"
              extra_ca "$ctx" ;;
    *) die "unknown image '$NAME' (postgres|redis|mlflow|airflow|all)" ;;
  esac
  if [[ -z "${DOCKER_BUILDKIT:-}" ]]; then
    if docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=1; else export DOCKER_BUILDKIT=0; fi
  fi
  local start; start=$(date +%s)
  log "docker build -> $image"
  docker build ${DOCKER_BUILD_ARGS:-} "${args[@]}" -f "$HERE/$NAME.Dockerfile" \
    --label "org.opencontainers.image.title=rankrepro-$NAME-cluster" \
    --label "org.opencontainers.image.revision=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    -t "$image" "$ctx"
  log "built $image in $(( $(date +%s) - start )) s"
}

need() { docker image inspect "$1" >/dev/null 2>&1 || die "$1 missing: build it first (make images)"; }

# Locally added CAs (e.g. a TLS-inspecting egress proxy's) for pip in builder stages only.
extra_ca() {
  local d="${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}" f
  [[ -d "$d" ]] || return 0
  for f in "$d"/*.crt "$d"/*/*.crt; do [[ -f "$f" ]] && cp "$f" "$1/extra-ca/"; done
  return 0
}

[[ $# -ge 1 ]] || die "usage: $0 postgres|redis|mlflow|airflow|all"
"$ROOT/docker/base/build-base-image.sh"
if [[ "$1" == all ]]; then set -- postgres redis mlflow airflow; fi
for n in "$@"; do build "$n"; done
