#!/usr/bin/env bash
# Make sure the base image every rankrepro Dockerfile starts FROM exists locally.
#
# Why: our Dockerfiles say `FROM debian:bookworm-slim` so they build unchanged on a user's
# machine, where Docker Hub is reachable. On our CI and dev machines no registry is reachable,
# so we build an equivalent image ourselves from Debian's own package mirror (debootstrap
# --variant=minbase + `docker import`) and tag it with the very same name.
#
# Idempotent: does nothing if the image is already there. Tries `docker pull` first (short
# timeout) unless BASE_IMAGE_NO_PULL=1.
#
# Environment:
#   BASE_IMAGE          image name to provide            (default debian:bookworm-slim)
#   DEBIAN_SUITE        suite to bootstrap               (default bookworm)
#   DEBIAN_MIRROR       mirror URL                        (default: the one apt on this host uses,
#                                                         else http://deb.debian.org/debian)
#   DEBIAN_SECURITY_MIRROR                               (default: derived likewise)
#   BASE_IMAGE_NO_PULL  1 = don't even try docker pull
#   BASE_IMAGE_FORCE    1 = rebuild even if the image exists
set -euo pipefail

IMAGE="${BASE_IMAGE:-debian:bookworm-slim}"
SUITE="${DEBIAN_SUITE:-bookworm}"
log() { printf '[base-image] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v docker >/dev/null || die "docker CLI not found (install docker.io)"
docker info >/dev/null 2>&1 || die "no Docker engine reachable (is dockerd running? try: dockerd &)"

if [[ "${BASE_IMAGE_FORCE:-0}" != 1 ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already present ($(docker image inspect -f '{{.Id}}' "$IMAGE" | cut -c1-19)); nothing to do"
  exit 0
fi

if [[ "${BASE_IMAGE_NO_PULL:-0}" != 1 && "${BASE_IMAGE_FORCE:-0}" != 1 ]]; then
  log "trying: docker pull $IMAGE (60 s timeout)"
  if timeout 60 docker pull -q "$IMAGE" >/dev/null 2>&1; then
    log "pulled $IMAGE from its registry"
    exit 0
  fi
  log "cannot pull $IMAGE (no registry reachable?); building it locally with debootstrap"
fi

# --- find the mirror this host's apt already uses (reachable by definition) -------------------
# deb822 files (*.sources) have "URIs: <url>"; one-line files have "deb <url> <suite> ...".
apt_uris() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    sed -n -E 's/^[[:space:]]*URIs:[[:space:]]*(.*)$/\1/p; s/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' "$f"
  done | tr ' ' '\n' | sed '/^$/d'
}
MIRROR="${DEBIAN_MIRROR:-$(apt_uris | grep -E '/debian/?$' | head -n1 || true)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"; MIRROR="${MIRROR%/}"
SEC_MIRROR="${DEBIAN_SECURITY_MIRROR:-$(apt_uris | grep -E '/debian-security/?$' | head -n1 || true)}"
SEC_MIRROR="${SEC_MIRROR:-${MIRROR}-security}"; SEC_MIRROR="${SEC_MIRROR%/}"

command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install -y debootstrap)"
[[ $(id -u) == 0 ]] || die "debootstrap needs root (run as root or with sudo)"

ROOTFS="$(mktemp -d /var/tmp/rankrepro-rootfs.XXXXXX)"
cleanup() {
  # debootstrap may leave /proc or /sys mounted in the chroot if it fails half-way:
  # unmount before deleting so we never recurse into the host's /proc.
  local m
  for m in $(awk -v r="$ROOTFS" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$m" || true
  done
  rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT

start=$(date +%s)
log "debootstrap --variant=minbase $SUITE from $MIRROR into $ROOTFS"
if ! debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1; then
  tail -n 40 "$ROOTFS.log" >&2; rm -f "$ROOTFS.log"
  die "debootstrap failed (mirror $MIRROR reachable?)"
fi
rm -f "$ROOTFS.log"

# --- make it behave like the official -slim image -------------------------------------------
# apt sources for builds inside containers: same mirror, plus updates and security.
rm -f "$ROOTFS/etc/apt/sources.list"
cat >"$ROOTFS/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SEC_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
# Like the official image: no docs/man/locales from later installs, no package caches,
# no recommends; keeps every image built on top small.
cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CFG
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
CFG
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-no-recommends" <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
CFG
# Containers have no init: keep package scripts from trying to start services.
printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"; chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
# Drop what debootstrap leaves behind and the image never needs.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/* "$ROOTFS"/var/log/*.log \
       "$ROOTFS"/var/log/apt/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* \
       "$ROOTFS"/usr/share/info/* "$ROOTFS"/tmp/* "$ROOTFS"/root/.bash_history
: >"$ROOTFS/etc/hostname"; : >"$ROOTFS/etc/resolv.conf"   # docker mounts its own
echo "$SUITE" >"$ROOTFS/etc/rankrepro-base"                # marks a locally built base

log "importing as $IMAGE"
tar --numeric-owner -C "$ROOTFS" -c . \
  | docker import \
      --change 'CMD ["bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --message "rankrepro: debootstrap --variant=minbase $SUITE from $MIRROR" \
      - "$IMAGE" >/dev/null
log "built $IMAGE in $(( $(date +%s) - start )) s, size $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
