#!/usr/bin/env bash
# Start (or stop) the real Redis and PostgreSQL that the stack's tests use, on loopback only,
# with their data under .cache/servers/. Idempotent: `up` does nothing when they already answer.
#   scripts/test-servers.sh up|down|env
# Tests read KUBEMAP_TEST_REDIS_URL and KUBEMAP_TEST_PG_DSN (printed by `env`); each test makes its
# own database / uses its own Redis key prefix or db index so tests stay independent.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${KUBEMAP_SERVERS_DIR:-$ROOT/.cache/servers}
REDIS_PORT=${KUBEMAP_TEST_REDIS_PORT:-6390}
PG_PORT=${KUBEMAP_TEST_PG_PORT:-5440}
# The newest installed PostgreSQL's programs; asked after `up` installs them (a new machine has none).
pg_bin() { { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -1; }
RUN_AS=()
[[ $(id -u) -eq 0 ]] && RUN_AS=(runuser -u postgres --)  # postgres refuses to run as root

env_lines() {
  echo "KUBEMAP_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "KUBEMAP_TEST_PG_DSN=postgresql://kubemap@127.0.0.1:$PG_PORT/postgres"
}

up() {
  "$ROOT/scripts/install-system-deps.sh" servers
  local PG_BIN
  PG_BIN=$(pg_bin)
  mkdir -p "$DIR"
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" \
      --appendonly no --dir "$DIR" --logfile "$DIR/redis.log" --pidfile "$DIR/redis.pid"
  fi
  if [[ ! -f $DIR/pg/PG_VERSION ]]; then
    mkdir -p "$DIR/pg"
    [[ ${#RUN_AS[@]} -gt 0 ]] && chown postgres "$DIR/pg" && chmod 700 "$DIR/pg"
    "${RUN_AS[@]}" "$PG_BIN/initdb" -D "$DIR/pg" -U kubemap --auth=trust -E UTF8 >/dev/null
  fi
  if ! "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
    [[ ${#RUN_AS[@]} -gt 0 ]] && chown -R postgres "$DIR/pg"
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $PG_PORT -k /tmp -c fsync=off -c max_connections=200" start >/dev/null
  fi
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1
  done
  env_lines
}

down() {
  local PG_BIN
  PG_BIN=$(pg_bin)
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  if [[ -f $DIR/pg/postmaster.pid ]]; then
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null || true
  fi
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  env) env_lines ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
