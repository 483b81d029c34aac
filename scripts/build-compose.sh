#!/usr/bin/env bash
# Builds Docker Compose v5 from the Go module proxy (the version is pinned in
# scripts/compose-v5/go.mod, with go.sum) into
#   ${KUBEMAP_CACHE:-$HOME/.cache/kubemap}/compose-<version>/docker-compose
# and installs it as the Docker CLI plugin ~/.docker/cli-plugins/docker-compose (a symlink), so
# `docker compose` is this build. Idempotent: a cached binary that reports the pinned version is
# reused (a second run takes a fraction of a second), and the plugin link is only (re)made when it
# is missing or points at another build of ours.
# Usage: scripts/build-compose.sh [--print-path]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$here/compose-v5"
cache="${KUBEMAP_CACHE:-$HOME/.cache/kubemap}"
# The single source of truth for the version is the wrapper module's go.mod.
version="$(awk '$1=="require" && $2=="github.com/docker/compose/v5" {print $3; exit}' "$module/go.mod")"
out_dir="$cache/compose-$version"
bin="$out_dir/docker-compose"
plugin_dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

if [[ "${1:-}" == "--print-path" ]]; then echo "$bin"; exit 0; fi
log() { printf '[compose %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# The plugin is installed where there is none, or replaces an earlier one of ours (a link into
# the cache); a Compose plugin the user installed is left alone (the tests call the cached
# binary directly, and the stack runs on any Compose v2+).
install_plugin() {
  local plugin="$plugin_dir/docker-compose" current
  current="$(readlink "$plugin" 2>/dev/null || true)"
  [[ "$current" == "$bin" ]] && return 0
  if [[ -e "$plugin" || -L "$plugin" ]] && [[ "$current" != "$cache"/compose-* ]]; then
    log "keeping the Docker Compose plugin already installed at $plugin ($("$plugin" version --short 2>/dev/null || echo "unknown version"))"
    return 0
  fi
  mkdir -p "$plugin_dir"
  ln -sfn "$bin" "$plugin"
  log "installed as the Docker CLI plugin $plugin (docker compose)"
}

built() { [[ -x "$bin" ]] && "$bin" version --short 2>/dev/null | grep -qx "${version#v}"; }
if built; then
  install_plugin
  exit 0
fi
# One build at a time per cache: a second caller waits for the first, then finds it built.
mkdir -p "$out_dir"
exec 8>"$out_dir/.build.lock"
if ! flock -n 8; then
  log "another build of Docker Compose is running; waiting for it"
  flock 8
fi
if built; then
  install_plugin
  exit 0
fi
if ! command -v go >/dev/null; then
  log "Go is not installed: install Go >= $(awk '$1=="go" {print $2}' "$module/go.mod") (go.dev/dl) and re-run."
  exit 2
fi

start=$SECONDS
log "building Docker Compose $version (a few minutes on 2 cores) ..."
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0
# -mod=readonly: go.mod and go.sum are committed; a build never rewrites them. -p=2: the machine
# is shared.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-p=2 -mod=readonly -trimpath"
staging="$(mktemp "$out_dir/docker-compose.XXXXXX")"
trap 'rm -f "$staging"' EXIT
if ! (cd "$module" && go build -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$version" \
      -o "$staging" github.com/docker/compose/v5/cmd); then
  log "building Docker Compose failed (see the Go output above). The Go module proxy must be reachable."
  exit 1
fi
chmod 0755 "$staging"
mv -f "$staging" "$bin"
trap - EXIT
log "built $("$bin" version) in $((SECONDS - start))s into $bin"
install_plugin
