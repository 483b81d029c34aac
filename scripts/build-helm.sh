#!/usr/bin/env bash
# Builds real Helm (helm.sh/helm/v4/cmd/helm) from the Go module proxy for kubemap's chart tests:
# helm lint --strict, helm template, and install / upgrade / uninstall on the test control plane
# and on kind. The version (and every dependency) is pinned by scripts/helm/go.mod and go.sum.
# The binary goes to
#   ${KUBEMAP_CACHE:-$HOME/.cache/kubemap}/helm-<version>/helm
# Idempotent: a cached binary that reports the expected version is reused.
# Usage: scripts/build-helm.sh [--print-path]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$here/helm"
cache="${KUBEMAP_CACHE:-$HOME/.cache/kubemap}"
version="$(awk '$1=="require" && $2=="helm.sh/helm/v4" {print $3; exit}' "$module/go.mod")"
[[ -n "$version" ]] || { echo "[helm] cannot read the Helm version from $module/go.mod" >&2; exit 2; }
out_dir="$cache/helm-$version"
helm_bin="$out_dir/helm"

if [[ "${1:-}" == "--print-path" ]]; then echo "$helm_bin"; exit 0; fi
log() { printf '[helm %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

built_version() { "$helm_bin" version --template '{{.Version}}' 2>/dev/null || true; }
cached() { [[ -x "$helm_bin" && "$(built_version)" == "$version" ]]; }
if cached; then
  log "cached: $helm_bin ($version)"
  exit 0
fi
# One build at a time (two checkouts on one machine share the cache): a second caller waits,
# then finds Helm built.
mkdir -p "$cache"
exec 8>"$cache/.helm.lock"
if ! flock -n 8; then
  log "another build of Helm is running; waiting for it"
  flock 8
fi
if cached; then
  log "cached: $helm_bin ($version)"
  exit 0
fi
if ! command -v go >/dev/null; then
  log "Go is not installed: install Go >= 1.26 (go.dev/dl) and re-run, or install Helm $version from https://helm.sh/docs/intro/install/"
  exit 2
fi

mkdir -p "$out_dir"
staging="$(mktemp -d "$out_dir/build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
start=$SECONDS
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0
# 2 cores shared with other builds; go.mod and go.sum are committed, a build never rewrites them.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-p=2 -mod=readonly -trimpath"
# The same version stamp Helm's own Makefile puts on a release build (`helm version`).
pkg=helm.sh/helm/v4/internal/version
ldflags="-s -w -X $pkg.version=$version -X $pkg.metadata= -X $pkg.gitTreeState=clean"
log "building Helm $version ..."
if ! (cd "$module" && go build -ldflags "$ldflags" -o "$staging/helm" helm.sh/helm/v4/cmd/helm); then
  log "building Helm failed (see the Go output above). The Go module proxy must be reachable."
  exit 1
fi
mv -f "$staging/helm" "$helm_bin"
log "built $helm_bin ($(built_version)) in $((SECONDS - start))s"
