#!/usr/bin/env bash
# Run Docker Compose for the stack in compose/, whichever flavour this machine has:
# `docker compose` (v2 plugin) or `docker-compose` (v1.29, what Debian ships).
#   scripts/compose.sh up -d ...
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if docker compose version >/dev/null 2>&1; then
  exec docker compose --project-directory "$ROOT/compose" -f "$ROOT/compose/compose.yaml" "$@"
fi
# v1 builds with the classic builder; DOCKER_BUILDKIT=0 makes that explicit, so nothing tries to
# resolve images (or Dockerfile frontends) from a registry.
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
exec docker-compose --project-directory "$ROOT/compose" -f "$ROOT/compose/compose.yaml" "$@"
