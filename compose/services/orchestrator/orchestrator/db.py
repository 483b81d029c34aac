"""PostgreSQL connection settings and the application's async connection pool."""

from __future__ import annotations

from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from .settings import Settings

CONNECT_TIMEOUT_SECONDS = 3
# How long a request waits for a free connection before it is answered 503 (not the pool's 30 s).
POOL_TIMEOUT_SECONDS = 5.0


def conninfo(settings: Settings) -> str:
    return make_conninfo(
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_db,
        user=settings.postgres_user,
        password=settings.postgres_password,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        application_name="orchestrator",
    )


def describe(settings: Settings) -> str:
    """Where the database is, for messages (never includes the password)."""
    return (f"{settings.postgres_user}@{settings.postgres_host}:{settings.postgres_port}"
            f"/{settings.postgres_db}")


def create_pool(settings: Settings) -> AsyncConnectionPool:
    # Opened by the app's lifespan without waiting, so the process starts (and /healthz answers)
    # even while PostgreSQL is still coming up; /readyz tells the difference.
    # autocommit: reads take no transaction; writes open one explicitly (conn.transaction()).
    # check: a connection broken by a database restart is replaced instead of failing a request.
    return AsyncConnectionPool(conninfo(settings), min_size=1, max_size=10, open=False,
                               timeout=POOL_TIMEOUT_SECONDS,
                               kwargs={"autocommit": True},
                               check=AsyncConnectionPool.check_connection, name="orchestrator")
