#!/usr/bin/env bash
# Push rankrepro-tasks:latest to the registry a cluster pulls from, and print it by digest.
#
#   docker/push-task-image.sh REGISTRY [TAG]     (make push-image-tasks TASK_REGISTRY=REGISTRY)
#   -> REGISTRY/rankrepro-tasks:TAG pushed; RANKREPRO_TASK_IMAGE=REGISTRY/rankrepro-tasks@sha256:...
#      printed and written to docker/.build/task-image.env
#
# Why a digest: the kubernetes variant of the DAG file runs the image by digest (a tag may name other
# bytes on each node, or change between a task and its retry). The digest to use is the one the
# registry gives the pushed manifest (docker's RepoDigests, which exist only after a push or a pull);
# the local image id (`docker image inspect --format '{{.Id}}'`) is the config's digest, by which no
# registry serves the image. TAG defaults to the commit, so each push is findable by tag as well.
set -euo pipefail

REGISTRY="${1:?usage: $0 REGISTRY [TAG]   e.g. registry.example.com/team or 127.0.0.1:5001}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TAG="${2:-$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo latest)}"
REPO="${REGISTRY%/}/rankrepro-tasks"
OUT="$ROOT/docker/.build/task-image.env"

docker image inspect rankrepro-tasks:latest >/dev/null 2>&1 || { echo "no rankrepro-tasks:latest: make image-tasks first" >&2; exit 1; }
docker tag rankrepro-tasks:latest "$REPO:$TAG"
docker push "$REPO:$TAG"
# The digest of the manifest just pushed to this repository (an image pushed to several has several).
DIGEST="$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$REPO:$TAG" | grep -m1 "^$REPO@sha256:" || true)"
[[ -n "$DIGEST" ]] || { echo "docker push gave $REPO:$TAG no digest in that repository" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
printf 'RANKREPRO_TASK_IMAGE=%s\n' "$DIGEST" > "$OUT"
echo "pushed $REPO:$TAG"
echo "RANKREPRO_TASK_IMAGE=$DIGEST   (also in ${OUT#"$ROOT"/}: set it in the Airflow components' environment)"
