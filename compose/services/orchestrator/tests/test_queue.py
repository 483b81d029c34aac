"""Jobs reach the Redis stream only when queued, only after their rows are committed."""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient

from helpers import closed_port, make_client
from orchestrator import queue
from orchestrator.db import conninfo
from orchestrator.settings import Settings


def test_one_entry_per_queued_job_with_the_contract_fields(
        client: TestClient, settings: Settings, redis_client: redis.Redis) -> None:
    task = client.post("/tasks", json={"goal": "g", "input": "a b c d e f g"}).json()
    entries = redis_client.xrange(settings.jobs_stream) or []
    queued = [j for j in task["jobs"] if j["status"] == "queued"]
    assert len(queued) == 6  # 7 words, 5 per chunk: 2 chunks x 3 jobs; the aggregate waits
    assert [fields for _, fields in entries] == [
        {"job_id": j["id"], "task_id": task["id"], "kind": j["kind"]} for j in queued]


def test_entries_are_added_after_the_commit(
        client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Watch from a second connection at the moment of XADD: the rows must already be there."""
    seen: dict[str, Any] = {}
    real_enqueue = queue.enqueue

    async def watching_enqueue(redis_: Any, stream: str, jobs: list[queue.QueuedJob]) -> None:
        with psycopg.connect(conninfo(settings)) as other:
            seen["rows"] = other.execute(
                "SELECT count(*) FROM jobs WHERE id = ANY(%s) AND status = 'queued'",
                ([job.job_id for job in jobs],)).fetchone()
        seen["jobs"] = len(jobs)
        await real_enqueue(redis_, stream, jobs)

    monkeypatch.setattr(queue, "enqueue", watching_enqueue)
    assert client.post("/tasks", json={"goal": "g"}).status_code == 201
    assert seen == {"rows": (3,), "jobs": 3}


def test_redis_down_fails_the_task_instead_of_leaving_it_hanging(
        settings: Settings, db: psycopg.Connection) -> None:
    down = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    with make_client(down) as client:
        response = client.post("/tasks", json={"goal": "g"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "queue_unavailable"
    [(task_id, status, finished)] = db.execute(
        "SELECT id, status, finished_at IS NOT NULL FROM tasks").fetchall()
    assert str(task_id) in error["message"] and (status, finished) == ("failed", True)
    statuses = {r[0] for r in db.execute("SELECT status FROM jobs")}
    assert statuses == {"failed"}
