#!/usr/bin/env bash
# Wait until every service of the running stack is healthy (one-shot services: exited 0).
# Prints one progress line per change; on timeout names each service that is not ready and why.
#   scripts/stack-wait.sh [TIMEOUT_SECONDS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
timeout=${1:-300}
deadline=$((SECONDS + timeout))
last=""
while :; do
  ids=$("$ROOT/scripts/compose.sh" ps -q)
  pending=()
  while read -r name state health code; do
    [[ -z $name ]] && continue
    case $state/$health in
      running/healthy|running/none) ;;
      exited/*) [[ $code == 0 ]] || pending+=("$name:exited($code)") ;;
      *) pending+=("$name:$state/$health") ;;
    esac
  done < <([[ -n $ids ]] && docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.ExitCode}}' $ids | sed 's|^/||')
  now="${pending[*]:-}"
  if [[ -n $ids && -z $now ]]; then
    echo "stack ready: $(echo "$ids" | wc -l) containers healthy"
    exit 0
  fi
  [[ $now != "$last" ]] && echo "waiting: ${now:-no containers yet}" && last=$now
  if (( SECONDS > deadline )); then
    echo "stack not ready after ${timeout}s: $now" >&2
    "$ROOT/scripts/compose.sh" ps >&2 || true
    "$ROOT/scripts/compose.sh" logs --tail 20 >&2 || true
    exit 1
  fi
  sleep 2
done
