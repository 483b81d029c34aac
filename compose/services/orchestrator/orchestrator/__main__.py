"""`python -m orchestrator serve|migrate|healthcheck`."""

from __future__ import annotations

import argparse
import logging
import sys
import urllib.request

import psycopg

from . import db
from .logging import configure_logging
from .migrate import (
    DatabaseUnreachableError,
    MigrationError,
    apply_migrations,
    connect_with_retry,
    load_migrations,
)
from .settings import ConfigError, Settings

log = logging.getLogger("orchestrator")
EXIT_UNREACHABLE = 1  # the database is down or refused a migration
EXIT_BAD_CONFIG = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="orchestrator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API (port from PORT)")
    serve.add_argument("--host", default="0.0.0.0",
                       help="address to listen on (default: all; tests use 127.0.0.1)")
    serve.add_argument("--port", type=int, help="overrides PORT")
    migrate = commands.add_parser("migrate", help="apply pending database migrations and exit")
    migrate.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                         help="how long to retry while PostgreSQL is unreachable (default 30)")
    health = commands.add_parser(
        "healthcheck", help="exit 0 when the server on PORT answers /healthz (for containers "
        "whose image has no curl)")
    health.add_argument("--port", type=int, help="overrides PORT")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"orchestrator: configuration error: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    if args.command == "healthcheck":
        return _healthcheck(args.port or settings.port)
    configure_logging(settings.log_level)
    if args.command == "serve":
        return _serve(settings, args.host, args.port or settings.port)
    return _migrate(settings, args.wait)


def _serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn  # only the server needs it

    from .api import create_app

    # log_config=None keeps our JSON handler; access_log=False: our middleware logs requests.
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)
    return 0


def _healthcheck(port: int) -> int:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            if response.status == 200:
                return 0
            problem = f"HTTP {response.status}"
    except OSError as exc:  # refused, timed out, or an HTTP error status
        problem = str(exc)
    print(f"orchestrator healthcheck: {url}: {problem}", file=sys.stderr)
    return EXIT_UNREACHABLE


def _migrate(settings: Settings, wait_seconds: float) -> int:
    where = db.describe(settings)
    try:
        migrations = load_migrations()
    except MigrationError as exc:
        print(f"orchestrator migrate: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    try:
        conn = connect_with_retry(db.conninfo(settings), wait_seconds)
    except DatabaseUnreachableError as exc:
        print(f"orchestrator migrate: cannot reach PostgreSQL at {where} after {wait_seconds:g}s: "
              f"{exc}\nCheck POSTGRES_HOST/POSTGRES_PORT/POSTGRES_DB/POSTGRES_USER and the "
              "password, and that the server is running.", file=sys.stderr)
        return EXIT_UNREACHABLE
    with conn:
        try:
            applied = apply_migrations(conn, migrations)
        except psycopg.Error as exc:
            print(f"orchestrator migrate: migration failed at {where}, nothing was applied: "
                  f"{exc}", file=sys.stderr)
            return EXIT_UNREACHABLE
    if applied:
        log.info("migrations applied", extra={"versions": [m.version for m in applied],
                                              "database": where})
    else:
        latest = max((m.version for m in migrations), default=0)
        log.info("schema up to date", extra={"version": latest,
                                             "database": where})
    return 0


if __name__ == "__main__":
    sys.exit(main())
