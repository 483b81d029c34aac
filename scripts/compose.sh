#!/usr/bin/env bash
# Run Docker Compose for the stack in compose/:   scripts/compose.sh up -d ...
# Compose v2 or later (compose.yaml uses the top-level `name:` and `configs:`); where there is
# none, scripts/build-compose.sh builds the pinned Docker Compose v5 and installs it as the
# `docker compose` plugin. Compose v1 (docker-compose 1.x) is not supported.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if ! version=$(docker compose version --short 2>/dev/null); then
  "$ROOT/scripts/build-compose.sh" >&2
  version=$(docker compose version --short)
fi
if [[ "${version#v}" == 1.* ]]; then
  echo "scripts/compose.sh: docker compose is version $version; the stack needs Compose v2 or later" \
       "(run scripts/build-compose.sh, or install Docker Compose v2)" >&2
  exit 2
fi
# The base images are local stand-ins (scripts/build-base-images.sh): the classic builder uses
# them as they are, where BuildKit would ask a registry about them. DOCKER_BUILDKIT=1 (with
# PULL_BASE_IMAGES=1 on a machine with registry access) builds with BuildKit instead.
export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}"
exec docker compose --project-directory "$ROOT/compose" -f "$ROOT/compose/compose.yaml" "$@"
