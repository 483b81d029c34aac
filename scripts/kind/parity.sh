#!/usr/bin/env bash
# `make parity`: the same end-to-end scenarios (tests/kind/test_parity.py) against Docker Compose
# and then against a kind cluster, both through localhost:8080 / localhost:3000; on that cluster,
# after the stack, a second project (tests/up/) goes through `kubemap up` / `kubemap down`.
# Compose and kind cannot hold the ports at once, so the Compose stack is stopped before the
# stack goes onto kind, and a kind cluster left from an earlier run is deleted before Compose.
#
#   compose half: make stack-up → scenarios (PARITY_BACKEND=compose) → compose down
#   kind half:    stack_on_kind (kubemap up: cluster, images, apply, wait) → scenarios
#                 (PARITY_BACKEND=kind) + tests/kind/test_kind_cluster.py → stack_off_kind
#                 (kubemap down --keep-cluster) → tests/up on the same cluster → delete the cluster
#
# Environment: PARITY_ONLY=compose|kind runs one half; KEEP_CLUSTER=1 keeps the (emptied) cluster
# for a quicker next run; KIND_HOST_PORT_OFFSET=N publishes the stack N ports higher on kind (when
# something else holds 8080/3000); KIND_CLUSTER_NAME (kubemap), KIND_NAMESPACE (agents).
# KIND_LOCAL_NODE defaults to 1 here (the machine this runs on in CI cannot pull images).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
export KIND_LOCAL_NODE="${KIND_LOCAL_NODE:-1}"
export KIND_CLUSTER_NAME="${KIND_CLUSTER_NAME:-kubemap}"
only="${PARITY_ONLY:-}"
offset="${KIND_HOST_PORT_OFFSET:-0}"
kubemap=(.venv/bin/kubemap)
stack=(-f compose/compose.yaml --env-file compose/.env.example)  # as make k8s converts it
# kubectl for the tests: the system's, else the control plane's build.
PATH="$PATH:$("$repo/scripts/build-control-plane.sh" --print-bin-dir)"
export PATH
log() { printf '[parity %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
t0=$SECONDS

# How the stack gets onto the kind cluster and off it again (keeping the cluster for tests/up).
stack_on_kind() {
  "${kubemap[@]}" up "${stack[@]}" ${KIND_NAMESPACE:+--namespace "$KIND_NAMESPACE"} \
    --host-port-offset "$offset" --timeout "${KIND_WAIT_SECONDS:-300}s"
}
stack_off_kind() {
  "${kubemap[@]}" down "${stack[@]}" ${KIND_NAMESPACE:+--namespace "$KIND_NAMESPACE"} --keep-cluster
}

if [[ -z "$only" || "$only" == compose ]]; then
  # A kind cluster from an earlier run publishes 8080 and 3000: delete it (does nothing if absent).
  "${kubemap[@]}" down --cluster
  t=$SECONDS; make --no-print-directory stack-up; log "compose stack up ($((SECONDS - t))s)"
  t=$SECONDS
  PARITY_BACKEND=compose .venv/bin/python -m pytest -q -p no:cacheprovider tests/kind/test_parity.py
  log "compose scenarios passed ($((SECONDS - t))s)"
  scripts/compose.sh down --remove-orphans
fi

if [[ -z "$only" || "$only" == kind ]]; then
  scripts/compose.sh down --remove-orphans >/dev/null 2>&1 || true
  [[ -n "${PULL_BASE_IMAGES:-}" ]] || scripts/build-base-images.sh
  t=$SECONDS; stack_on_kind; log "kind stack up ($((SECONDS - t))s)"
  if [[ "$offset" != 0 ]]; then
    export PARITY_GATEWAY_URL="http://localhost:$((8080 + offset))"
    export PARITY_FRONTEND_URL="http://localhost:$((3000 + offset))"
  fi
  t=$SECONDS
  status=0
  PARITY_BACKEND=kind .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/kind/test_parity.py tests/kind/test_kind_cluster.py || status=$?
  log "kind scenarios exited $status ($((SECONDS - t))s)"
  t=$SECONDS; stack_off_kind; log "stack removed from the cluster ($((SECONDS - t))s)"
  t=$SECONDS
  up_status=0
  .venv/bin/python -m pytest -q -p no:cacheprovider tests/up || up_status=$?
  log "tests/up (a second project: kubemap up → requests → kubemap down) exited $up_status ($((SECONDS - t))s)"
  [[ $status -ne 0 ]] || status=$up_status
  if [[ "${KEEP_CLUSTER:-}" != 1 ]]; then "${kubemap[@]}" down --cluster; fi
  [[ $status -eq 0 ]] || exit "$status"
fi
log "parity done in $((SECONDS - t0))s"
