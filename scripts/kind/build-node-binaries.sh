#!/usr/bin/env bash
# Builds the binaries the locally built kind node image needs that the test control plane
# (scripts/build-control-plane.sh) does not: kubelet, kubeadm, kube-proxy (k8s.io/kubernetes, same
# version and version ldflags), CoreDNS (scripts/kind/coredns), pause (scripts/kind/pause) and
# crictl (sigs.k8s.io/cri-tools; kind uses it to skip images a node already has, and for logs).
# Output: ${KUBEMAP_CACHE:-$HOME/.cache/kubemap}/k8s-<version>/node-bin
# Idempotent: every binary present and kubelet reporting the expected version → nothing to do.
# Usage: scripts/kind/build-node-binaries.sh [--print-bin-dir]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
k8s_module="$repo/scripts/control-plane/kubernetes"
cache="${KUBEMAP_CACHE:-$HOME/.cache/kubemap}"
k8s_version="$(awk '$1=="k8s.io/kubernetes" {print $2}' "$k8s_module/go.mod")"
bin_dir="$cache/k8s-$k8s_version/node-bin"

if [[ "${1:-}" == "--print-bin-dir" ]]; then echo "$bin_dir"; exit 0; fi
log() { printf '[node-binaries %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# One build at a time (checkouts on one machine share the cache): a second caller waits for it.
mkdir -p "$cache"
exec 8>"$cache/.node-binaries.lock"
flock -n 8 || { log "another build is running; waiting for it"; flock 8; }

binaries=(kubelet kubeadm kube-proxy coredns pause crictl)
CRICTL_VERSION=v1.34.0  # the cri-tools release that goes with Kubernetes v1.34
all_built() {
  local b
  for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || return 1; done
  "$bin_dir/kubelet" --version 2>/dev/null | grep -qx "Kubernetes $k8s_version"
}
if all_built; then log "cached in $bin_dir ($("$bin_dir/kubelet" --version))"; exit 0; fi
command -v go >/dev/null || { log "Go is not installed: install Go >= 1.24 and re-run."; exit 2; }

export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-p=2 -trimpath"
mkdir -p "$bin_dir"
staging="$(mktemp -d "$cache/k8s-$k8s_version/node-build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
start_all=$SECONDS

build_kubernetes() {
  # The control plane's module pins every staging module; kubelet needs a few more packages than
  # the control plane, so build against a private copy of its go.mod/go.sum (-modfile) and leave
  # the shared module untouched.
  cp "$k8s_module/go.mod" "$staging/k8s.mod"
  cp "$k8s_module/go.sum" "$staging/k8s.sum"
  local minor date ldflags pkg
  minor="$(echo "$k8s_version" | cut -d. -f2)"
  date="$(cd "$k8s_module" && go mod download -modfile="$staging/k8s.mod" -json "k8s.io/kubernetes@$k8s_version" \
          | awk -F'"' '$2=="Time" {print $4; exit}')"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  (cd "$k8s_module" && go build -mod=mod -modfile="$staging/k8s.mod" -ldflags "$ldflags" -o "$staging/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kube-proxy)
}

# Each group is built only when one of its binaries is missing (a partial cache is completed).
missing() { local b; for b in "$@"; do [[ -x "$bin_dir/$b" ]] || return 0; done; return 1; }
if missing pause; then
  t=$SECONDS; (cd "$here/pause" && go build -ldflags "-s -w" -o "$bin_dir/pause.new" .) && mv -f "$bin_dir/pause.new" "$bin_dir/pause"
  log "pause: $((SECONDS - t))s"
fi
if missing coredns; then
  t=$SECONDS; (cd "$here/coredns" && go build -ldflags "-s -w" -o "$bin_dir/coredns.new" .) && mv -f "$bin_dir/coredns.new" "$bin_dir/coredns"
  log "coredns: $((SECONDS - t))s"
fi
if missing crictl; then
  t=$SECONDS
  GOBIN="$staging" go install -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
    "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
  mv -f "$staging/crictl" "$bin_dir/crictl"
  log "crictl $CRICTL_VERSION: $((SECONDS - t))s"
fi
if missing kubelet kubeadm kube-proxy || ! "$bin_dir/kubelet" --version 2>/dev/null | grep -qx "Kubernetes $k8s_version"; then
  t=$SECONDS; log "building kubelet, kubeadm, kube-proxy $k8s_version"; build_kubernetes
  for b in kubelet kubeadm kube-proxy; do mv -f "$staging/$b" "$bin_dir/$b"; done
  log "kubernetes: $((SECONDS - t))s"
fi
log "built in $((SECONDS - start_all))s: $("$bin_dir/kubelet" --version) → $bin_dir"
