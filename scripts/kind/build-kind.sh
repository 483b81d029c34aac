#!/usr/bin/env bash
# Builds `kind` from the Go module proxy (sigs.k8s.io/kind) into
#   ${KUBEMAP_CACHE:-$HOME/.cache/kubemap}/kind-<version>/kind
# Idempotent: a cached binary that reports the expected version is reused.
# Usage: scripts/kind/build-kind.sh [--print-path]
set -euo pipefail

# kind v0.30.0 is the release whose default node image is Kubernetes v1.34, the version the rest
# of the project builds (scripts/control-plane/kubernetes/go.mod).
KIND_VERSION="${KIND_VERSION:-v0.30.0}"
cache="${KUBEMAP_CACHE:-$HOME/.cache/kubemap}"
out_dir="$cache/kind-$KIND_VERSION"
kind_bin="$out_dir/kind"

if [[ "${1:-}" == "--print-path" ]]; then echo "$kind_bin"; exit 0; fi
log() { printf '[kind %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# One build at a time (checkouts on one machine share the cache): a second caller waits for it.
mkdir -p "$cache"
exec 8>"$cache/.kind.lock"
flock -n 8 || { log "another build is running; waiting for it"; flock 8; }

if [[ -x "$kind_bin" ]] && "$kind_bin" version 2>/dev/null | grep -q "kind $KIND_VERSION "; then
  log "cached: $("$kind_bin" version)"
  exit 0
fi
if ! command -v go >/dev/null; then
  log "Go is not installed: install Go >= 1.24 (Debian golang-go or go.dev/dl), or install kind from https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
  exit 2
fi

mkdir -p "$out_dir"
start=$SECONDS
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-p=2 -trimpath"
# GOBIN is per-version so two versions never overwrite each other; go install is atomic per file.
GOBIN="$out_dir" go install -ldflags "-s -w" "sigs.k8s.io/kind@$KIND_VERSION"
log "built $("$kind_bin" version) in $((SECONDS - start))s"
