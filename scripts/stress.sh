#!/usr/bin/env bash
# `make stress`: run the suites that touch Redis streams, timers and subprocesses many times in a
# row, to find flaky tests before CI does. Not part of `make test`.
#   STRESS_RUNS=20 (runs per suite)   STRESS_SUITES="worker queue gateway chat" (any of them, and
#   stack-processes: the end-to-end test with the services as processes, about 1 min a run)
# Prints `N passed, M failed` per suite; the log of every failed run is kept under
# .cache/stress/<suite>-<run>.log. Exit code 1 when any run failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
runs=${STRESS_RUNS:-20}
suites=${STRESS_SUITES:-worker queue gateway chat}
logs=.cache/stress
rm -rf "$logs" && mkdir -p "$logs"
export CGO_ENABLED=0
# shellcheck disable=SC2046  # one VAR=value per word
export $(scripts/test-servers.sh up)

suite_command() {
  case $1 in
    worker) echo "cd compose/services/worker && go test -count=1 ./internal/worker/ ./cmd/worker/" ;;
    queue) echo "cd compose/services/worker && go test -count=1 ./internal/queue/ ./internal/store/" ;;
    gateway) echo "cd compose/services/gateway && go test -count=1 ./..." ;;
    # Compiled once below; each run is node --test on the compiled tests, as npm test does.
    chat) echo "cd compose/services/chat && node --test --test-concurrency=2 --test-timeout=60000 dist-test/test/" ;;
    stack-processes) echo ".venv/bin/python -m pytest -q -p no:cacheprovider tests/stack/test_e2e_processes.py" ;;
    *) echo "unknown suite $1 (worker, queue, gateway, chat, stack-processes)" >&2; return 2 ;;
  esac
}

# Build once, so the runs measure the tests and not the compilers.
for suite in $suites; do
  case $suite in
    worker|queue) (cd compose/services/worker && go test -count=1 -run '^$' ./... >/dev/null) || exit 1 ;;
    gateway) (cd compose/services/gateway && go test -count=1 -run '^$' ./... >/dev/null) || exit 1 ;;
    chat) make --no-print-directory -s chat-build >/dev/null && (cd compose/services/chat && npm run -s build:test) || exit 1 ;;
    stack-processes) make --no-print-directory -s setup frontend-build >/dev/null || exit 1 ;;
  esac
done

status=0
summary=()
for suite in $suites; do
  command=$(suite_command "$suite") || exit 2
  passed=0 failed=0 began=$SECONDS
  for run in $(seq 1 "$runs"); do
    log="$logs/$suite-$run.log"
    if (eval "$command") >"$log" 2>&1; then
      passed=$((passed + 1)); rm -f "$log"
    else
      failed=$((failed + 1)); status=1
      echo "  $suite run $run FAILED (log: $log)"
    fi
    [[ -t 2 ]] && printf "\r%-16s run %d/%d: %d passed, %d failed" "$suite" "$run" "$runs" "$passed" "$failed" >&2
  done
  [[ -t 2 ]] && printf "\n" >&2
  summary+=("$(printf '%-16s %d passed, %d failed  (%ds)' "$suite" "$passed" "$failed" $((SECONDS - began)))")
done
echo "== stress: $runs runs per suite"
printf '%s\n' "${summary[@]}"
exit $status
