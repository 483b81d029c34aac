"""Migrations build the contract's schema, once, in order, all or nothing."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from orchestrator.db import conninfo
from orchestrator.migrate import Migration, MigrationError, apply_migrations, load_migrations
from orchestrator.settings import Settings


def _columns(conn: psycopg.Connection, table: str) -> dict[str, str]:
    rows = conn.execute("SELECT column_name, data_type FROM information_schema.columns"
                        " WHERE table_name = %s", (table,)).fetchall()
    return dict(rows)


def test_files_are_numbered_in_order() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_applies_the_contract_schema_and_records_versions(settings: Settings) -> None:
    with psycopg.connect(conninfo(settings), autocommit=True) as conn:
        applied = apply_migrations(conn)
        assert [m.version for m in applied] == [m.version for m in load_migrations()]
        recorded = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]
        assert recorded == [m.version for m in applied]

        assert _columns(conn, "tasks") == {
            "id": "uuid", "goal": "text", "input": "text", "status": "text",
            "created_at": "timestamp with time zone", "started_at": "timestamp with time zone",
            "finished_at": "timestamp with time zone"}
        jobs = _columns(conn, "jobs")
        assert jobs["payload"] == "jsonb" and jobs["depends_on"] == "ARRAY"
        assert {"attempts", "error", "worker", "started_at", "finished_at"} <= set(jobs)
        assert _columns(conn, "results") == {
            "job_id": "uuid", "task_id": "uuid", "output": "jsonb",
            "created_at": "timestamp with time zone"}


def test_second_run_applies_nothing(settings: Settings) -> None:
    with psycopg.connect(conninfo(settings), autocommit=True) as conn:
        assert apply_migrations(conn)
        assert apply_migrations(conn) == []
        count = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
        assert count is not None and count[0] == len(load_migrations())


def test_concurrent_migrators_apply_each_version_once(settings: Settings) -> None:
    """Two replicas of the migrate job starting together: the advisory lock serialises them."""
    def migrate() -> list[int]:
        with psycopg.connect(conninfo(settings), autocommit=True) as conn:
            return [m.version for m in apply_migrations(conn)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: migrate(), range(2)))
    everything = [m.version for m in load_migrations()]
    assert sorted(results) == [[], everything]


def test_status_checks_are_enforced(db: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute("INSERT INTO tasks (id, goal, status) VALUES (%s, 'g', 'sleeping')",
                   (uuid.uuid4(),))


def test_deleting_a_task_cascades_to_jobs_and_results(db: psycopg.Connection) -> None:
    task, job = uuid.uuid4(), uuid.uuid4()
    db.execute("INSERT INTO tasks (id, goal, status) VALUES (%s, 'g', 'done')", (task,))
    db.execute("INSERT INTO jobs (id, task_id, kind, status) VALUES (%s, %s, 'sha256', 'done')",
               (job, task))
    db.execute("INSERT INTO results (job_id, task_id, output) VALUES (%s, %s, '{}')", (job, task))
    db.execute("DELETE FROM tasks WHERE id = %s", (task,))
    assert db.execute("SELECT count(*) FROM jobs").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM results").fetchone() == (0,)


def test_a_failing_migration_leaves_nothing_behind(settings: Settings) -> None:
    good = load_migrations()[0]
    broken = Migration(good.version + 1, "0002_broken.sql",
                       "CREATE TABLE half (x int); SELECT 1/0;")
    with psycopg.connect(conninfo(settings), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.DivisionByZero):
            apply_migrations(conn, [good, broken])
        # One transaction: not even the good migration or the bookkeeping table stayed.
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
        assert tables == set()


def test_misnamed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_init.sql").write_text("SELECT 1")
    with pytest.raises(MigrationError, match=r"0001_short_name\.sql"):
        load_migrations(tmp_path)


def test_duplicate_version_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1")
    (tmp_path / "0001_b.sql").write_text("SELECT 1")
    with pytest.raises(MigrationError, match="share a version"):
        load_migrations(tmp_path)
