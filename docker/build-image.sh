#!/usr/bin/env bash
# Build one rankrepro image from a small staged build context.
#
#   docker/build-image.sh tasks|mlflow|airflow      -> rankrepro-<name>:latest  (IMAGE_TAG=latest)
#
# Why staging: Debian bookworm's docker.io has no buildx, so builds use the legacy builder, which
# uploads the whole context folder. The repo root holds venvs, target/ folders and work/ (GBs),
# so each image gets its own context under docker/.build/<name>/ with only what its Dockerfile
# COPYs. The same Dockerfiles build with BuildKit where buildx exists (user machines).
# Used by `make images` (docker/docker.mk) and by the Testcontainers tests when an image is missing.
set -euo pipefail

NAME="${1:?usage: $0 tasks|mlflow|airflow}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TAG="${IMAGE_TAG:-latest}"
IMAGE="rankrepro-$NAME:$TAG"
CTX="$ROOT/docker/.build/$NAME"
log() { printf '[image %s] %s\n' "$NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -f "$ROOT/docker/$NAME/Dockerfile" ]] || die "no docker/$NAME/Dockerfile"
"$ROOT/docker/base/build-base-image.sh"

rm -rf "$CTX"; mkdir -p "$CTX"
# Hard links where possible: staging 150 MB of jars then costs nothing.
put() { cp -lR "$1" "$2" 2>/dev/null || cp -R "$1" "$2"; }

# Locally added CA certificates (e.g. a TLS-inspecting egress proxy's) so that pip can reach
# PyPI from inside builds. Only builder stages see them; they never reach a final image.
# Empty on a normal machine. Override with EXTRA_CA_DIR.
stage_extra_ca() {
  mkdir -p "$CTX/extra-ca"
  local d="${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}" f
  [[ -d "$d" ]] || return 0
  for f in "$d"/*.crt "$d"/*/*.crt; do [[ -f "$f" ]] && cp "$f" "$CTX/extra-ca/"; done
  return 0
}

case "$NAME" in
  tasks)
    T="$ROOT/pipeline/target"
    [[ -f "$T/rankrepro.jar" && -d "$T/lib" ]] \
      || die "pipeline/target/rankrepro.jar missing: run 'mvn -B package -DskipTests' (or 'make images')"
    mkdir -p "$CTX/lib-deps" "$CTX/lib-app"
    for j in "$T"/lib/*.jar; do
      case "$(basename "$j")" in
        rankrepro-*) put "$j" "$CTX/lib-app/" ;;
        *)           put "$j" "$CTX/lib-deps/" ;;
      esac
    done
    put "$T/rankrepro.jar" "$CTX/rankrepro.jar"
    if [[ -d "$ROOT/pipeline/experiments" ]]; then put "$ROOT/pipeline/experiments" "$CTX/experiments"
    else log "warning: pipeline/experiments/ not found; image gets no specs"; mkdir -p "$CTX/experiments"; fi
    # the shared stage files the specs `use:` (../../stages/ from a spec)
    if [[ -d "$ROOT/pipeline/stages" ]]; then put "$ROOT/pipeline/stages" "$CTX/stages"; else mkdir -p "$CTX/stages"; fi
    cp "$ROOT/docker/tasks/rankrepro" "$ROOT/docker/tasks/DjlWarmup.java" "$CTX/"
    ;;
  mlflow)
    req="$ROOT/mlflow/server/requirements.txt"
    [[ -f "$req" ]] || die "mlflow/server/requirements.txt missing (it pins the MLflow server version)"
    cp "$req" "$CTX/requirements.txt"
    cp "$ROOT/docker/mlflow/start-mlflow.sh" "$ROOT/docker/mlflow/healthcheck.py" "$CTX/"
    stage_extra_ca
    ;;
  airflow)
    cp "$ROOT/docker/airflow/requirements.txt" "$ROOT/docker/airflow/constraints.txt" "$CTX/"
    stage_extra_ca
    ;;
  *) die "unknown image '$NAME' (tasks|mlflow|airflow)" ;;
esac

# BuildKit only where the buildx plugin exists; otherwise the legacy builder, quietly.
if [[ -z "${DOCKER_BUILDKIT:-}" ]]; then
  if docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=1; else export DOCKER_BUILDKIT=0; fi
fi

rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
start=$(date +%s)
log "docker build -> $IMAGE (context $(du -sh "$CTX" | cut -f1), BuildKit=$DOCKER_BUILDKIT)"
docker build ${DOCKER_BUILD_ARGS:-} \
  -f "$ROOT/docker/$NAME/Dockerfile" \
  --label "org.opencontainers.image.title=rankrepro-$NAME" \
  --label "org.opencontainers.image.revision=$rev" \
  -t "$IMAGE" "$CTX"
size=$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')
log "built $IMAGE in $(( $(date +%s) - start )) s, size $size"
