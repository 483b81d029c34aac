#!/usr/bin/env bash
# The bundled stack (compose/) onto the kind cluster and off it again, by installer:
#   apply: `kubemap up` (build, cluster if missing, images, apply, wait) /
#          `kubemap down --keep-cluster`
#   helm:  `kubemap up --no-wait` (build, cluster if missing, images), then the chart of
#          `kubemap convert --format helm` (scripts/kind/helm-install.sh, which replaces a stack
#          kubemap applied), waited for with `kubemap status` /
#          `helm uninstall` and the namespace deleted
# The cluster is kept either way (make parity runs tests/up on it, then deletes it).
# Environment: KIND_CLUSTER_NAME (kubemap), KIND_NAMESPACE (agents), KIND_HOST_PORT_OFFSET,
# KIND_WAIT_SECONDS (300); REGISTRY=1 (apply): `kubemap up --registry` with the test registry
# (scripts/test-servers.sh): the built images are pushed there and the node pulls them, no kind
# load (helm keeps kind load: the chart names the images as Compose does).
# Usage: scripts/kind/stack.sh on|off apply|helm
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
[[ $# -eq 2 && "$1" =~ ^(on|off)$ && "$2" =~ ^(apply|helm)$ ]] || { echo "usage: $0 on|off apply|helm" >&2; exit 2; }
what="$1" installer="$2"
kubemap=(.venv/bin/kubemap)
stack=(-f compose/compose.yaml --env-file compose/.env.example)  # as make k8s converts it
namespace="${KIND_NAMESPACE:-agents}"
context="kind-${KIND_CLUSTER_NAME:-kubemap}"
wait_seconds="${KIND_WAIT_SECONDS:-300}"
log() { printf '[stack %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# kubectl for helm-install.sh: the system's, else the control plane's build.
PATH="$PATH:$("$repo/scripts/build-control-plane.sh" --print-bin-dir)"

registry=()
if [[ -n "${REGISTRY:-}" && "$what/$installer" == on/apply ]]; then  # the chart names the images as Compose does
  scripts/test-servers.sh up >/dev/null
  registry=(--registry "$(scripts/test-servers.sh env | sed -n 's/^KUBEMAP_TEST_REGISTRY=//p')")
  log "images through the registry ${registry[1]} instead of kind load"
fi

case "$what/$installer" in
  on/apply)
    "${kubemap[@]}" up "${stack[@]}" --namespace "$namespace" --host-port-offset "${KIND_HOST_PORT_OFFSET:-0}" \
      --timeout "${wait_seconds}s" "${registry[@]}" ;;
  on/helm)
    "${kubemap[@]}" up "${stack[@]}" --namespace "$namespace" --host-port-offset "${KIND_HOST_PORT_OFFSET:-0}" --no-wait
    scripts/kind/helm-install.sh "$(command -v kubectl)" "$context" "$namespace"
    # Every workload of the stack ready: what `kubemap status` exits 0 for.
    deadline=$((SECONDS + wait_seconds))
    until "${kubemap[@]}" status "${stack[@]}" --namespace "$namespace" >/dev/null 2>&1; do
      if (( SECONDS > deadline )); then
        "${kubemap[@]}" status "${stack[@]}" --namespace "$namespace" || true
        log "the Helm release's workloads are not all ready after ${wait_seconds}s"; exit 2
      fi
      sleep 2
    done
    "${kubemap[@]}" status "${stack[@]}" --namespace "$namespace" ;;
  off/apply)
    "${kubemap[@]}" down "${stack[@]}" --namespace "$namespace" --keep-cluster ;;
  off/helm)
    helm="$(scripts/build-helm.sh --print-path)"
    "$helm" --kube-context "$context" --namespace "$namespace" uninstall agents --wait --timeout 5m
    kubectl --context "$context" delete namespace "$namespace" --wait=true --timeout=300s ;;
esac
