#!/usr/bin/env bash
# Start (or stop) the real Redis and PostgreSQL that the stack's tests use, on loopback only, and
# the image registry (Debian's docker-registry, the CNCF distribution server) that `kubemap build
# --push` and `kubemap up --registry` push to, with their data under .cache/servers/. Idempotent:
# `up` does nothing when they already answer.
#   scripts/test-servers.sh up|down|env
# Tests read KUBEMAP_TEST_REDIS_URL, KUBEMAP_TEST_PG_DSN and KUBEMAP_TEST_REGISTRY (printed by
# `env`); each test makes its own database / uses its own Redis key prefix or db index / its own
# repository names so tests stay independent.
#
# The registry is pushed to as 127.0.0.1:PORT (Docker allows plain HTTP to loopback registries
# only) and pulled from by a kind node at the address the node reaches this machine at (its
# network's gateway, e.g. 10.89.0.1 under Podman; see docs/kind.md "A registry instead of kind
# load"). A node cannot reach this machine's 127.0.0.1, so the registry listens on every address
# of this machine (KUBEMAP_TEST_REGISTRY_LISTEN, default 0.0.0.0): it serves test images only.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${KUBEMAP_SERVERS_DIR:-$ROOT/.cache/servers}
REDIS_PORT=${KUBEMAP_TEST_REDIS_PORT:-6390}
PG_PORT=${KUBEMAP_TEST_PG_PORT:-5440}
REGISTRY_PORT=${KUBEMAP_TEST_REGISTRY_PORT:-5051}
REGISTRY_LISTEN=${KUBEMAP_TEST_REGISTRY_LISTEN:-0.0.0.0}
# The newest installed PostgreSQL's programs; asked after `up` installs them (a new machine has none).
pg_bin() { { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -1; }
RUN_AS=()
[[ $(id -u) -eq 0 ]] && RUN_AS=(runuser -u postgres --)  # postgres refuses to run as root

env_lines() {
  echo "KUBEMAP_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "KUBEMAP_TEST_PG_DSN=postgresql://kubemap@127.0.0.1:$PG_PORT/postgres"
  echo "KUBEMAP_TEST_REGISTRY=127.0.0.1:$REGISTRY_PORT"
}

registry_answers() {  # GET /v2/ → 200, with bash alone (a new machine may have no curl)
  local status=""
  { exec 3<>"/dev/tcp/127.0.0.1/$REGISTRY_PORT"; } 2>/dev/null || return 1
  printf 'GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  read -r -t 5 _ status _ <&3 || true
  exec 3<&-
  [[ $status == 200 ]]
}

registry_up() {
  "$ROOT/scripts/install-system-deps.sh" registry
  registry_answers && return 0
  mkdir -p "$DIR/registry"
  # No auth, no TLS: a test registry on this machine. Deleting is allowed so tests can clean up.
  cat >"$DIR/registry.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_LISTEN:$REGISTRY_PORT
  secret: kubemap-test-registry  # one instance, so a fixed upload secret is fine
YAML
  setsid nohup "$ROOT/scripts/detach.sh" docker-registry serve "$DIR/registry.yml" >>"$DIR/registry.log" 2>&1 &
  echo $! >"$DIR/registry.pid"
  for _ in $(seq 1 100); do registry_answers && return 0; sleep 0.1; done
  echo "the test registry did not answer on 127.0.0.1:$REGISTRY_PORT; its log ($DIR/registry.log):" >&2
  tail -5 "$DIR/registry.log" >&2
  return 1
}

up() {
  "$ROOT/scripts/install-system-deps.sh" servers
  local PG_BIN
  PG_BIN=$(pg_bin)
  mkdir -p "$DIR"
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    "$ROOT/scripts/detach.sh" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" \
      --appendonly no --dir "$DIR" --logfile "$DIR/redis.log" --pidfile "$DIR/redis.pid"
  fi
  if [[ ! -f $DIR/pg/PG_VERSION ]]; then
    mkdir -p "$DIR/pg"
    [[ ${#RUN_AS[@]} -gt 0 ]] && chown postgres "$DIR/pg" && chmod 700 "$DIR/pg"
    "${RUN_AS[@]}" "$PG_BIN/initdb" -D "$DIR/pg" -U kubemap --auth=trust -E UTF8 >/dev/null
  fi
  if ! "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
    [[ ${#RUN_AS[@]} -gt 0 ]] && chown -R postgres "$DIR/pg"
    "$ROOT/scripts/detach.sh" "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $PG_PORT -k /tmp -c fsync=off -c max_connections=200" start >/dev/null
  fi
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1
  done
  registry_up
  env_lines
}

down() {
  local PG_BIN
  PG_BIN=$(pg_bin)
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  if [[ -f $DIR/pg/postmaster.pid ]]; then
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null || true
  fi
  if [[ -f $DIR/registry.pid ]] && kill -0 "$(cat "$DIR/registry.pid")" 2>/dev/null; then
    kill "$(cat "$DIR/registry.pid")" || true
  fi
  rm -f "$DIR/registry.pid"
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  env) env_lines ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
