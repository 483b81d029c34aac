#!/usr/bin/env bash
# Make sure a Docker engine is usable: install it from Debian when missing and start dockerd when
# it is not running. On a laptop with Docker running, this does nothing. (Compose: the v5 plugin
# that scripts/build-compose.sh builds; `make compose`.)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  "$ROOT/scripts/install-system-deps.sh" docker
fi
if ! docker info >/dev/null 2>&1; then
  echo "starting dockerd (log: /var/log/kubemap-dockerd.log)" >&2
  # setsid: dockerd must outlive the make target that started it.
  setsid "$(dirname "$0")/detach.sh" dockerd >/var/log/kubemap-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && exit 0
    sleep 1
  done
  echo "dockerd did not start; see /var/log/kubemap-dockerd.log" >&2
  tail -20 /var/log/kubemap-dockerd.log >&2 || true
  exit 1
fi
