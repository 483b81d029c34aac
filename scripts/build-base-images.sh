#!/usr/bin/env bash
# Build local stand-ins for the base images that compose/ names, because no registry can be
# reached here. Each is built from Debian bookworm packages (debootstrap once, cached) with the
# same Debian release and major.minor version as the real image, tagged with the real name, so
# `docker compose build` finds it locally and never pulls. Carries the host's CA bundle so builds
# inside reach the package registries. Idempotent: images that exist are kept (FORCE=1 rebuilds).
#
#   scripts/build-base-images.sh            # all stand-ins
#   scripts/build-base-images.sh --list     # the names it provides
#
# On a laptop with registry access you do not need this: docker pulls the real images.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${KUBEMAP_CACHE:-$HOME/.cache/kubemap}
HERE=$ROOT/scripts/base-images
GO_MINOR=$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')

# real image name -> stand-in Dockerfile
declare -A IMAGES=(
  ["python:3.11-slim-bookworm"]=python.Dockerfile
  ["node:20-bookworm-slim"]=node.Dockerfile
  ["golang:${GO_MINOR}-bookworm"]=golang.Dockerfile
  ["redis:7.0-bookworm"]=redis.Dockerfile
  ["postgres:15-bookworm"]=postgres.Dockerfile
)
if [[ ${1:-} == --list ]]; then printf '%s\n' "${!IMAGES[@]}" | sort; exit 0; fi

"$ROOT/scripts/ensure-docker.sh"
log() { printf '[base-images] %s\n' "$*" >&2; }

# 1. Debian bookworm minbase root file system -> kubemap-debian:bookworm
if ! docker image inspect kubemap-debian:bookworm >/dev/null 2>&1 || [[ -n ${FORCE:-} ]]; then
  tarball=$CACHE/base/bookworm-minbase.tar
  if [[ ! -s $tarball ]]; then
    "$ROOT/scripts/install-system-deps.sh" docker
    log "debootstrap bookworm (once; cached in $tarball)"
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    mkdir -p "$(dirname "$tarball")"
    tar -C "$rootfs" -c . >"$tarball.tmp" && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  log "importing kubemap-debian:bookworm"
  docker import "$tarball" kubemap-debian:bookworm >/dev/null
fi

# 2. One stand-in per real image name.
for name in $(printf '%s\n' "${!IMAGES[@]}" | sort); do
  if docker image inspect "$name" >/dev/null 2>&1 && [[ -z ${FORCE:-} ]]; then
    log "$name: present"
    continue
  fi
  context=$(mktemp -d)
  cp "$HERE"/* "$context"/
  cp /etc/ssl/certs/ca-certificates.crt "$context"/
  case ${IMAGES[$name]} in
    node.Dockerfile)
      cp "$(readlink -f "$(command -v node)")" "$context/node"
      cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$context/npm" ;;
    golang.Dockerfile)
      cp -r "$(go env GOROOT)" "$context/go" ;;
  esac
  log "$name: building from ${IMAGES[$name]}"
  DOCKER_BUILDKIT=0 docker build -q -f "$context/${IMAGES[$name]}" -t "$name" "$context" >/dev/null
  rm -rf "$context"
done
log "done: $(printf '%s ' "${!IMAGES[@]}")"
