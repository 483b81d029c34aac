#!/usr/bin/env bash
# `make parity`: the same end-to-end scenarios (tests/kind/test_parity.py) against Docker Compose
# and then against the kind cluster, both through localhost:8080 / localhost:3000. The two cannot
# hold those ports at once, so the Compose stack is stopped before the cluster starts, and a kind
# cluster left from an earlier run is deleted before Compose starts.
# Environment: PARITY_ONLY=compose|kind runs one half; KEEP_CLUSTER=1 leaves the cluster running.
# INSTALLER: how the kind half installs the stack, `apply` (kubemap apply), `helm` (helm install of
# the chart `kubemap convert --format helm` writes) or both in turn on the same cluster, the
# default `apply,helm` (make test). INSTALLER=helm alone runs only the kind half: the Compose half
# does not depend on the installer.
# KIND_LOCAL_NODE defaults to 1 here (the machine this runs on in CI cannot pull images).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$kind_repo"
export KIND_LOCAL_NODE="${KIND_LOCAL_NODE:-1}"
only="${PARITY_ONLY:-}"
IFS=, read -ra installers <<<"${INSTALLER:-apply,helm}"
for installer in "${installers[@]}"; do
  [[ "$installer" == apply || "$installer" == helm ]] || kind_die "INSTALLER must be apply, helm or apply,helm, not ${INSTALLER}"
done
[[ "${INSTALLER:-apply,helm}" == helm && -z "$only" ]] && only=kind
# kubectl for the tests: the system's, else the control plane's build.
PATH="$PATH:$("$kind_repo/scripts/build-control-plane.sh" --print-bin-dir)"
export PATH
t0=$SECONDS

# kind lists only the clusters of its current provider.
export KIND_EXPERIMENTAL_PROVIDER="${KIND_EXPERIMENTAL_PROVIDER:-$(pick_provider)}"

if [[ -z "$only" || "$only" == compose ]]; then
  if "$(find_kind)" get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER_NAME"; then
    kind_log "deleting the kind cluster so Compose can publish 8080 and 3000"
    scripts/kind/kind-down.sh
  fi
  t=$SECONDS; make --no-print-directory stack-up; kind_log "compose stack up ($((SECONDS - t))s)"
  t=$SECONDS
  PARITY_BACKEND=compose .venv/bin/python -m pytest -q -p no:cacheprovider tests/kind/test_parity.py
  kind_log "compose scenarios passed ($((SECONDS - t))s)"
  scripts/compose.sh down --remove-orphans
fi

if [[ -z "$only" || "$only" == kind ]]; then
  scripts/compose.sh down --remove-orphans >/dev/null 2>&1 || true
  if [[ -n "${KIND_HOST_PORT_OFFSET:-}" ]]; then  # kind-up shifts the published ports
    export PARITY_GATEWAY_URL="http://localhost:$((8080 + KIND_HOST_PORT_OFFSET))"
    export PARITY_FRONTEND_URL="http://localhost:$((3000 + KIND_HOST_PORT_OFFSET))"
  fi
  status=0
  # One cluster for every installer: the second reinstalls the stack on it (same images).
  for installer in "${installers[@]}"; do
    t=$SECONDS
    INSTALLER="$installer" scripts/kind/kind-up.sh || { status=$?; kind_log "kind-up ($installer) exited $status"; break; }
    kind_log "kind stack up with $installer ($((SECONDS - t))s)"
    t=$SECONDS
    PARITY_BACKEND=kind PARITY_INSTALLER="$installer" .venv/bin/python -m pytest -q -p no:cacheprovider \
      tests/kind/test_parity.py tests/kind/test_kind_cluster.py || status=$?
    kind_log "kind scenarios ($installer) exited $status ($((SECONDS - t))s)"
    [[ $status -eq 0 ]] || break
  done
  if [[ "${KEEP_CLUSTER:-}" != 1 ]]; then scripts/kind/kind-down.sh; fi
  [[ $status -eq 0 ]] || exit "$status"
fi
kind_log "parity done in $((SECONDS - t0))s"
