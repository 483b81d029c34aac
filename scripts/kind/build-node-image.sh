#!/usr/bin/env bash
# Builds kubemap's kind node image (default tag kubemap/kind-node:<kubernetes version>) with Docker,
# from Debian packages and binaries built from the Go module proxy, without pulling any image:
#   1. binaries: the control plane (scripts/build-control-plane.sh) and kubelet, kubeadm,
#      kube-proxy, CoreDNS, pause (scripts/kind/build-node-binaries.sh), all cached;
#   2. the images `kubeadm config images list` names, each a minimal image of one binary,
#      saved as tarballs that the node imports into containerd when it boots;
#   3. the node image itself (scripts/kind/node/Dockerfile).
# Idempotent: the image carries a label with a hash of everything it is built from and is only
# rebuilt when that changes (FORCE=1 rebuilds anyway).
# Usage: scripts/kind/build-node-image.sh [--print-tag]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
k8s_version="$(awk '$1=="k8s.io/kubernetes" {print $2}' "$repo/scripts/control-plane/kubernetes/go.mod")"
tag="${KIND_NODE_TAG:-kubemap/kind-node:$k8s_version}"
if [[ "${1:-}" == "--print-tag" ]]; then echo "$tag"; exit 0; fi
log() { printf '[kind-node-image %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
start_all=$SECONDS

"$repo/scripts/ensure-docker.sh"
if ! docker image inspect kubemap-debian:bookworm >/dev/null 2>&1; then
  "$repo/scripts/build-base-images.sh"
fi
"$repo/scripts/build-control-plane.sh"
"$here/build-node-binaries.sh"
cp_bin="$("$repo/scripts/build-control-plane.sh" --print-bin-dir)"
node_bin="$("$here/build-node-binaries.sh" --print-bin-dir)"

# Everything the image is made of → one hash, stored as a label.
inputs_hash="$( { (cd "$here" && find node images build-node-image.sh -type f -print0 | sort -z | xargs -0 sha256sum);
                  sha256sum "$cp_bin"/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl,etcd} \
                            "$node_bin"/{kubelet,kubeadm,kube-proxy,coredns,pause,crictl} | awk '{print $1}';
                  docker image inspect -f '{{.Id}}' kubemap-debian:bookworm; } | sha256sum | cut -c1-16)"
existing="$(docker image inspect -f '{{index .Config.Labels "io.kubemap.inputs"}}' "$tag" 2>/dev/null || true)"
if [[ "$existing" == "$inputs_hash" && -z "${FORCE:-}" ]]; then
  log "$tag is up to date (inputs $inputs_hash)"
  exit 0
fi

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/bin" "$context/images"

# The exact image names kubeadm will put into the static Pod manifests and add-ons.
mapfile -t wanted < <("$node_bin/kubeadm" config images list --kubernetes-version "$k8s_version" 2>/dev/null)
sandbox="$(awk -F'"' '/sandbox_image/ {print $2}' "$here/node/files/etc/containerd/config.toml")"
printf '%s\n' "${wanted[@]}" | grep -qx "$sandbox" \
  || { log "containerd's sandbox_image $sandbox is not the pause image kubeadm expects: ${wanted[*]}"; exit 1; }

build_component() {  # IMAGE_NAME
  local name="$1" base dir
  base="$(basename "${name%%:*}")"
  dir="$(mktemp -d "$context/component.XXXX")"
  case "$base" in
    kube-apiserver|kube-controller-manager|kube-scheduler|etcd)
      local from="$cp_bin"
      cp "$from/$base" "$dir/"
      mkdir -m 1777 "$dir/tmp"
      docker build -q --build-arg "BINARY=$base" -f "$here/images/static.Dockerfile" -t "$name" "$dir" >/dev/null ;;
    kube-proxy|coredns|pause)
      cp "$node_bin/$base" "$dir/"
      docker build -q -f "$here/images/$base.Dockerfile" -t "$name" "$dir" >/dev/null ;;
    *) log "no recipe for the image $name that kubeadm expects"; exit 1 ;;
  esac
  docker save "$name" -o "$context/images/$base.tar"
  log "image $name ($(du -h "$context/images/$base.tar" | cut -f1))"
}
for name in "${wanted[@]}"; do build_component "$name"; done

cp "$node_bin"/{kubelet,kubeadm,crictl} "$cp_bin/kubectl" "$context/bin/"
cp -r "$here/node/files" "$context/files"
cp "$here/node/Dockerfile" "$context/Dockerfile"
cp /etc/ssl/certs/ca-certificates.crt "$context/"
previous="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
docker build -q --build-arg "KUBERNETES_VERSION=$k8s_version" --label "io.kubemap.inputs=$inputs_hash" \
  -t "$tag" "$context" >/dev/null
# The image this one replaces is 1.2 GB of untagged layers now: drop it (only it).
if [[ -n "$previous" && "$previous" != "$(docker image inspect -f '{{.Id}}' "$tag")" ]]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi
log "built $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}')) in $((SECONDS - start_all))s"
