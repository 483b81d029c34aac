#!/usr/bin/env bash
# `make bench-up`: how long `kubemap up` takes to bring the bundled stack (compose/) onto kind,
#   cold: no cluster (kubemap up creates it)    warm: the cluster and the stack are there
# against the peer `make kind-up` as it was before kubemap up existed (scripts/kind/kind-up.sh
# and lib.sh at PEER_REV, applied to today's compose/ and k8s/), run alternately in this script
# on the same machine. Prints each time and the median ratio kubemap / peer (below 1: faster).
# Uses the shared kind cluster and Docker: run it under `flock /tmp/kubemap-heavy.lock`.
# Environment: ROUNDS (2), PEER_REV (afd5f5d, the last commit with kind-up.sh).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
rounds="${ROUNDS:-2}"
peer_rev="${PEER_REV:-afd5f5d}"
export KIND_CLUSTER_NAME=kubemap KIND_LOCAL_NODE="${KIND_LOCAL_NODE:-1}"
stack=(-f compose/compose.yaml --env-file compose/.env.example)
log() { printf '[bench-up %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# The peer: today's scripts, with the old kind scripts put back beside them.
peer="$(mktemp -d)"
trap 'rm -rf "$peer"; .venv/bin/kubemap down --cluster >/dev/null 2>&1 || true' EXIT
cp -r scripts "$peer/scripts"
git archive "$peer_rev" scripts/kind/kind-up.sh scripts/kind/lib.sh | tar -x -C "$peer"
ln -s "$repo/compose" "$peer/compose"
ln -s "$repo/k8s" "$peer/k8s"
ln -s "$repo/.venv" "$peer/.venv"
PATH="$PATH:$(scripts/build-control-plane.sh --print-bin-dir)"  # kubectl for the peer

timed() {  # LABEL COMMAND... -> seconds on stdout, the command's output in the log
  local start=$SECONDS
  "${@:2}" >>"$peer/run.log" 2>&1 || { log "$1 failed:"; tail -30 "$peer/run.log" >&2; exit 1; }
  echo $((SECONDS - start))
}
drop_cluster() { .venv/bin/kubemap down --cluster >>"$peer/run.log" 2>&1; }
peer_up() { (cd "$peer" && scripts/kind/kind-up.sh); }
kubemap_up() { .venv/bin/kubemap up "${stack[@]}"; }

declare -a peer_cold peer_warm up_cold up_warm
scripts/build-base-images.sh >/dev/null 2>&1
for round in $(seq 1 "$rounds"); do
  drop_cluster; peer_cold+=("$(timed "peer cold" peer_up)"); peer_warm+=("$(timed "peer warm" peer_up)")
  log "round $round: peer (make kind-up at $peer_rev) cold ${peer_cold[-1]}s, warm ${peer_warm[-1]}s"
  drop_cluster; up_cold+=("$(timed "kubemap up cold" kubemap_up)"); up_warm+=("$(timed "kubemap up warm" kubemap_up)")
  log "round $round: kubemap up cold ${up_cold[-1]}s, warm ${up_warm[-1]}s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
pc="$(median "${peer_cold[@]}")"; pw="$(median "${peer_warm[@]}")"
uc="$(median "${up_cold[@]}")"; uw="$(median "${up_warm[@]}")"
printf '%-28s %8s %8s %8s\n' "bundled stack onto kind" "kubemap" "peer" "ratio"
printf '%-28s %7ss %7ss %8s\n' "cold (no cluster)" "$uc" "$pc" "$(ratio "$uc" "$pc")"
printf '%-28s %7ss %7ss %8s\n' "warm (cluster, stack there)" "$uw" "$pw" "$(ratio "$uw" "$pw")"
printf 'rounds: %s; every time (s): kubemap cold %s, warm %s; peer cold %s, warm %s\n' "$rounds" \
  "${up_cold[*]}" "${up_warm[*]}" "${peer_cold[*]}" "${peer_warm[*]}"
