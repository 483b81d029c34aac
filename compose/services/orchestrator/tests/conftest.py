"""Fixtures on the REAL Redis and PostgreSQL of `scripts/test-servers.sh up`.

Every test gets its own database (test_<random>, dropped afterwards) and its own Redis stream
name, so tests are independent of each other and of other suites on the same servers.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient
from helpers import make_client
from psycopg.conninfo import conninfo_to_dict

from orchestrator.db import conninfo
from orchestrator.migrate import apply_migrations
from orchestrator.settings import Settings


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        # Fail, never skip: a suite that silently does nothing proves nothing.
        pytest.fail(f"{name} is not set. Run `make test-orchestrator`, or start the servers with "
                    "`scripts/test-servers.sh up` and export the variables it prints.",
                    pytrace=False)
    return value


@pytest.fixture(scope="session")
def admin_dsn() -> str:
    return _required_env("KUBEMAP_TEST_PG_DSN")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _required_env("KUBEMAP_TEST_REDIS_URL")


@pytest.fixture
def database(admin_dsn: str) -> Iterator[str]:
    """A fresh, empty database; its name."""
    name = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(admin_dsn: str, redis_url: str, database: str) -> Iterator[Settings]:
    """Settings for this test's own database and stream; the stream is deleted afterwards."""
    server = conninfo_to_dict(admin_dsn)
    stream = f"test:{secrets.token_hex(6)}:jobs"
    yield Settings(
        redis_url=redis_url,
        postgres_host=str(server.get("host", "127.0.0.1")),
        postgres_port=int(str(server.get("port", 5432))),
        postgres_db=database,
        postgres_user=str(server.get("user", "postgres")),
        postgres_password=str(server["password"]) if "password" in server else None,
        jobs_stream=stream,
        chunk_words=5,
    )
    with redis.Redis.from_url(redis_url) as r:
        r.delete(stream)


@pytest.fixture
def db(settings: Settings) -> Iterator[psycopg.Connection]:
    """A connection to the test database, schema migrated."""
    with psycopg.connect(conninfo(settings), autocommit=True) as conn:
        apply_migrations(conn)
        yield conn


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    with redis.Redis.from_url(redis_url, decode_responses=True) as r:
        yield r


@pytest.fixture
def client(settings: Settings, db: psycopg.Connection) -> Iterator[TestClient]:
    with make_client(settings) as c:
        yield c
