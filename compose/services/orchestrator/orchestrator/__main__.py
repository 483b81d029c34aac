"""`python -m orchestrator serve|migrate|healthcheck|loadgen`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import urllib.request
from collections.abc import Callable

from .settings import ConfigError, Settings

# Each command imports what only it needs inside its function: the container's health check runs
# this module every 10 s under a 3 s timeout, and psycopg, httpx and starlette are most of a
# second of start-up on a loaded machine.

log = logging.getLogger("orchestrator")
EXIT_FAILED = 1  # a dependency is down, a migration failed, or loadgen's tasks did not all end done
EXIT_BAD_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
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
        "healthcheck", help="exit 0 when the server on PORT answers /healthz, else 1 (the "
        "image's health check: it has no curl)")
    health.add_argument("--port", type=int, help="overrides PORT")
    load = commands.add_parser(
        "loadgen", help="create a bounded batch of tasks through an API, wait for them, and "
        "print a JSON summary (exit 0 when every task is done)")
    load.add_argument("--url", default="http://localhost:8080",
                      help="gateway or orchestrator base URL (default http://localhost:8080)")
    load.add_argument("--tasks", type=_bounded(1, 10_000), default=50, help="1..10000 (50)")
    load.add_argument("--concurrency", type=_bounded(1, 64), default=4, help="1..64 (4)")
    load.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                      help="give up waiting after this long (120)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    if args.command == "loadgen":  # a client: needs none of the service's own settings
        import asyncio

        from . import loadgen

        summary = asyncio.run(loadgen.run(args.url, args.tasks, args.concurrency, args.timeout))
        print(json.dumps(summary.as_dict()))
        return 0 if summary.ok else EXIT_FAILED
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"orchestrator: configuration error: {exc}", file=sys.stderr)
        # Docker reserves exit code 2 for health checks: there, bad configuration is unhealthy.
        return EXIT_FAILED if args.command == "healthcheck" else EXIT_BAD_CONFIG
    if args.command == "healthcheck":
        return _healthcheck(args.port or settings.port)
    from .logging import configure_logging

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


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value
    return parse


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
    return EXIT_FAILED


def _migrate(settings: Settings, wait_seconds: float) -> int:
    import psycopg

    from . import db
    from .migrate import (
        DatabaseUnreachableError,
        MigrationError,
        apply_migrations,
        connect_with_retry,
        load_migrations,
    )

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
        return EXIT_FAILED
    with conn:
        try:
            applied = apply_migrations(conn, migrations)
        except psycopg.Error as exc:
            print(f"orchestrator migrate: migration failed at {where}, nothing was applied: "
                  f"{exc}", file=sys.stderr)
            return EXIT_FAILED
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
