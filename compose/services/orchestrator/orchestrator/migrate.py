"""Versioned schema migrations: migrations/NNNN_name.sql, applied in order, recorded once.

All pending files run in one transaction under an advisory lock, so two migrators started at
the same time (e.g. two replicas of a one-shot job) neither race nor leave a half-applied schema.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Any constant works; it only has to be the same for every migrator of this schema.
_LOCK_ID = 0x6F726368  # "orch"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class MigrationError(Exception):
    """The migrations folder is malformed."""


class DatabaseUnreachableError(Exception):
    """No connection could be made before the wait ran out."""


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: name must look like 0001_short_name.sql")
        migrations.append(Migration(int(match.group(1)), path.name,
                                    path.read_text(encoding="utf-8")))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{directory}: two migrations share a version number")
    return migrations


def connect_with_retry(conninfo: str, wait_seconds: float) -> psycopg.Connection:
    """Connect, retrying until wait_seconds have passed (the database may still be starting)."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    while True:
        try:
            return psycopg.connect(conninfo)
        except psycopg.OperationalError as exc:
            if time.monotonic() + delay > deadline:
                text = str(exc).strip()
                reason = text.splitlines()[0] if text else type(exc).__name__
                raise DatabaseUnreachableError(reason) from None
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def apply_migrations(conn: psycopg.Connection,
                     migrations: list[Migration] | None = None) -> list[Migration]:
    """Apply the migrations not yet recorded; return those applied now (empty when up to date)."""
    migrations = load_migrations() if migrations is None else migrations
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version int PRIMARY KEY,"
                     " applied_at timestamptz NOT NULL DEFAULT now())")
        applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        pending = [m for m in migrations if m.version not in applied]
        for migration in pending:
            conn.execute(migration.sql.encode())  # bytes: several statements in one go
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)",
                         (migration.version,))
    return pending
