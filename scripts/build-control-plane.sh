#!/usr/bin/env bash
# Builds the test control plane from the Go module proxy:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes)
#   etcd                                                               (go.etcd.io/etcd/server/v3)
#   kwok                                                               (sigs.k8s.io/kwok)
# The Go modules that pin the versions live in scripts/control-plane/. Binaries go to
#   ${KUBEMAP_CACHE:-$HOME/.cache/kubemap}/k8s-<version>/bin
# Idempotent: when every binary is there and reports the expected version it only says so.
# Usage: scripts/build-control-plane.sh [--print-bin-dir]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
modules="$here/control-plane"
cache="${KUBEMAP_CACHE:-$HOME/.cache/kubemap}"

# The single source of truth for versions is the modules' go.mod files.
# `require M v` or, inside a require block, `M v`.
required() { awk -v m="$2" '$1==m {print $2; exit} $1=="require" && $2==m {print $3; exit}' "$modules/$1/go.mod"; }
k8s_version="$(required kubernetes k8s.io/kubernetes)"
etcd_version="$(required etcd go.etcd.io/etcd/server/v3)"
kwok_version="$(required kwok sigs.k8s.io/kwok)"
bin_dir="$cache/k8s-$k8s_version/bin"

if [[ "${1:-}" == "--print-bin-dir" ]]; then
  echo "$bin_dir"
  exit 0
fi

log() { printf '[control-plane %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if ! command -v go >/dev/null; then
  log "Go is not installed: install Go >= 1.24 (the Debian package golang-go or go.dev/dl) and re-run."
  exit 2
fi

binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

all_built() {
  local b
  for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || return 1; done
  "$bin_dir/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes $k8s_version"
}

# One build at a time (two checkouts on one machine share the cache): a second caller waits,
# then finds the binaries built.
mkdir -p "$cache"
exec 8>"$cache/.control-plane.lock"
if ! flock -n 8; then
  log "another build of the control plane is running; waiting for it"
  flock 8
fi

if all_built; then
  log "cached in $bin_dir: $("$bin_dir/kube-apiserver" --version), etcd $("$bin_dir/etcd" --version | awk '/etcd Version/ {print $3}'), kwok $kwok_version"
  exit 0
fi

export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
# 2 cores shared with other builds: keep Go from starting more compile jobs than that.
# -mod=readonly: go.mod and go.sum are committed; a build never rewrites them.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-p=2 -mod=readonly -trimpath"
export CGO_ENABLED=0

mkdir -p "$bin_dir"
staging="$(mktemp -d "$cache/k8s-$k8s_version/build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
start_all=$SECONDS

# The release date of the module, so the binaries (and --version's buildDate) do not depend on
# when they were built.
module_time() { (cd "$modules/$1" && go mod download -json "$2" | awk -F'"' '$2=="Time" {print $4; exit}'); }

build_kubernetes() {
  local minor date ldflags pkg
  minor="$(echo "$k8s_version" | cut -d. -f2)"
  date="$(module_time kubernetes "k8s.io/kubernetes@$k8s_version")"
  ldflags="-s -w"
  # component-base's version is what --version and /version report; client-go's is the
  # user agent and `kubectl version --client`.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  (cd "$modules/kubernetes" && go build -ldflags "$ldflags" -o "$staging/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
}

build_etcd() {
  (cd "$modules/etcd" && go build -ldflags "-s -w" -o "$staging/etcd" .)
}

build_kwok() {
  local v="${kwok_version#v}"
  (cd "$modules/kwok" && go build \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$v" \
    -o "$staging/kwok" sigs.k8s.io/kwok/cmd/kwok)
}

for part in etcd kubernetes kwok; do
  t=$SECONDS
  log "building $part ..."
  if ! "build_$part"; then
    log "building $part failed (see the Go output above). The Go module proxy must be reachable."
    exit 1
  fi
  log "built $part in $((SECONDS - t))s"
done

for b in "${binaries[@]}"; do mv -f "$staging/$b" "$bin_dir/$b"; done
log "all built in $((SECONDS - start_all))s into $bin_dir: $("$bin_dir/kube-apiserver" --version), etcd $etcd_version, kwok $kwok_version"
