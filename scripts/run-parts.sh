#!/usr/bin/env bash
# `make test`: run each test part (a make target) in turn, time it, and go on after a failure so
# one run shows every part that fails; then print a table of parts, results and wall times.
#   scripts/run-parts.sh TARGET...
# Exit code 1 when any part failed. The table also goes to .cache/test-parts.tsv.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
table=.cache/test-parts.tsv
: >"$table"
failed=()
began=$SECONDS
for part in "$@"; do
  printf '\n===== %s =====\n' "$part"
  t=$SECONDS
  if make --no-print-directory "$part"; then result=passed; else result=FAILED; failed+=("$part"); fi
  printf '%s\t%s\t%d\n' "$part" "$result" $((SECONDS - t)) >>"$table"
  printf '===== %s %s in %ds =====\n' "$part" "$result" $((SECONDS - t))
done
printf '\n%-22s %-7s %s\n' part result seconds
while IFS=$'\t' read -r part result seconds; do printf '%-22s %-7s %7d\n' "$part" "$result" "$seconds"; done <"$table"
printf '%-22s %-7s %7d\n' total "$([[ ${#failed[@]} -eq 0 ]] && echo passed || echo FAILED)" $((SECONDS - began))
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed parts: ${failed[*]} (rerun one with: make ${failed[0]})" >&2
  exit 1
fi
