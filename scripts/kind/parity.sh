#!/usr/bin/env bash
# `make parity`: the same end-to-end scenarios (tests/kind/test_parity.py) against Docker Compose
# and then against a kind cluster, both through localhost:8080 / localhost:3000; on that cluster,
# after the stack, a second project (tests/up/) goes through `kubemap up` / `kubemap down`.
# Compose and kind cannot hold the ports at once, so the Compose stack is stopped before the
# stack goes onto kind, and a kind cluster left from an earlier run is deleted before Compose.
#
#   compose half: make stack-up → scenarios (PARITY_BACKEND=compose) → compose down
#   kind half:    for each installer: scripts/kind/stack.sh on INSTALLER (apply: kubemap up;
#                 helm: the chart, on the same cluster and images) → scenarios (PARITY_BACKEND=
#                 kind) + tests/kind/test_kind_cluster.py; then the stack off the cluster
#                 (stack.sh off), tests/up on that cluster, and the cluster deleted
#
# Environment: INSTALLER: apply, helm, or both in turn on one cluster (apply,helm: the default,
# what make test runs); INSTALLER=helm alone runs only the kind half (the Compose half does not
# depend on it). PARITY_ONLY=compose|kind runs one half; KEEP_CLUSTER=1 keeps the (emptied)
# cluster for a quicker next run; KIND_HOST_PORT_OFFSET=N publishes the stack N ports higher on
# kind (when something else holds 8080/3000); KIND_CLUSTER_NAME (kubemap), KIND_NAMESPACE
# (agents), KIND_WAIT_SECONDS (300). KIND_LOCAL_NODE defaults to 1 here (the machine this runs on
# in CI cannot pull images). REGISTRY=1: the stack's images go to the node through the test
# registry (kubemap up --registry; scripts/test-servers.sh) instead of kind load. tests/up uses
# that registry either way (kubemap build --push of the stack, a CronJob whose image the node
# pulls from it).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
export KIND_LOCAL_NODE="${KIND_LOCAL_NODE:-1}"
export KIND_CLUSTER_NAME="${KIND_CLUSTER_NAME:-kubemap}"
log() { printf '[parity %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
only="${PARITY_ONLY:-}"
IFS=, read -ra installers <<<"${INSTALLER:-apply,helm}"
for installer in "${installers[@]}"; do
  [[ "$installer" == apply || "$installer" == helm ]] \
    || { log "INSTALLER must be apply, helm or apply,helm, not ${INSTALLER}"; exit 2; }
done
[[ "${INSTALLER:-apply,helm}" == helm && -z "$only" ]] && only=kind
kubemap=(.venv/bin/kubemap)
# kubectl for the tests: the system's, else the control plane's build.
PATH="$PATH:$("$repo/scripts/build-control-plane.sh" --print-bin-dir)"
export PATH
t0=$SECONDS

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
  if [[ -n "${KIND_HOST_PORT_OFFSET:-}" ]]; then  # stack.sh publishes the ports that much higher
    export PARITY_GATEWAY_URL="http://localhost:$((8080 + KIND_HOST_PORT_OFFSET))"
    export PARITY_FRONTEND_URL="http://localhost:$((3000 + KIND_HOST_PORT_OFFSET))"
  fi
  if [[ -n "${REGISTRY:-}" ]]; then  # stack.sh passes it to kubemap up; test_kind_cluster.py diffs against it
    scripts/test-servers.sh up >/dev/null
    PARITY_REGISTRY="$(scripts/test-servers.sh env | sed -n 's/^KUBEMAP_TEST_REGISTRY=//p')"
    export PARITY_REGISTRY
  fi
  status=0
  installed=""
  # One cluster for every installer: the second reinstalls the stack on it (same images).
  for installer in "${installers[@]}"; do
    t=$SECONDS
    scripts/kind/stack.sh on "$installer" || { status=$?; log "stack onto kind ($installer) exited $status"; break; }
    installed="$installer"
    log "kind stack up with $installer ($((SECONDS - t))s)"
    t=$SECONDS
    PARITY_BACKEND=kind PARITY_INSTALLER="$installer" .venv/bin/python -m pytest -q -p no:cacheprovider \
      tests/kind/test_parity.py tests/kind/test_kind_cluster.py || status=$?
    log "kind scenarios ($installer) exited $status ($((SECONDS - t))s)"
    [[ $status -eq 0 ]] || break
  done
  if [[ -n "$installed" ]]; then
    # The stack off the cluster (it holds 8080), then a second project through kubemap up / down.
    t=$SECONDS; scripts/kind/stack.sh off "$installed"; log "stack ($installed) removed from the cluster ($((SECONDS - t))s)"
    t=$SECONDS
    up_status=0
    scripts/test-servers.sh up >/dev/null  # the registry tests/up pushes to
    .venv/bin/python -m pytest -q -p no:cacheprovider tests/up || up_status=$?
    log "tests/up (a second project: kubemap up → requests → kubemap down; build --push; a CronJob through the registry) exited $up_status ($((SECONDS - t))s)"
    [[ $status -ne 0 ]] || status=$up_status
  fi
  if [[ "${KEEP_CLUSTER:-}" != 1 ]]; then "${kubemap[@]}" down --cluster; fi
  [[ $status -eq 0 ]] || exit "$status"
fi
log "parity done in $((SECONDS - t0))s"
