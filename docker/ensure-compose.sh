#!/usr/bin/env bash
# Docker Compose for `make up`/`make down`: present, installed, or named.
#
# Either the v2 plugin (`docker compose`) or a `docker-compose` binary serves (docker/compose.yaml
# works with both). When neither is there: as root with apt (Debian, Ubuntu), install Debian's
# docker-compose package (1.29 on Debian 12, the v2 Compose on Debian 13); otherwise say the command.
set -euo pipefail

have_compose() { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; }

have_compose && exit 0
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "[compose] neither 'docker compose' nor 'docker-compose' found: apt-get install docker-compose"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-compose </dev/null
  have_compose || { echo "[compose] installed docker-compose, but still no Compose answers" >&2; exit 1; }
  exit 0
fi
echo "neither 'docker compose' nor 'docker-compose' found; install one, then run make up again:" >&2
echo "  sudo apt-get install docker-compose      # Debian/Ubuntu" >&2
echo "  or the Compose v2 plugin (package docker-compose-plugin, from Docker's own apt repository)" >&2
exit 1
