"""Jobs reach the Redis stream only when queued, only after their rows are committed."""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg
import redis
from fastapi import Request
from fastapi.testclient import TestClient

from helpers import app_of, closed_port, make_client
from orchestrator.db import conninfo
from orchestrator.dependencies import get_job_queue
from orchestrator.queue import JobQueue, QueuedJob
from orchestrator.settings import Settings


def test_one_entry_per_queued_job_with_the_contract_fields(
        client: TestClient, settings: Settings, redis_client: redis.Redis) -> None:
    task = client.post("/tasks", json={"goal": "g", "input": "a b c d e f g"}).json()
    entries = redis_client.xrange(settings.jobs_stream) or []
    queued = [j for j in task["jobs"] if j["status"] == "queued"]
    assert len(queued) == 6  # 7 words, 5 per chunk: 2 chunks x 3 jobs; the aggregate waits
    assert [fields for _, fields in entries] == [
        {"job_id": j["id"], "task_id": task["id"], "kind": j["kind"]} for j in queued]


class WatchingQueue(JobQueue):
    """The real queue, which looks from a second connection at the moment of XADD."""

    def __init__(self, real: JobQueue, settings: Settings) -> None:
        super().__init__(real.redis, real.stream)
        self.settings = settings
        self.seen: dict[str, Any] = {}

    async def enqueue(self, jobs: list[QueuedJob]) -> None:
        with psycopg.connect(conninfo(self.settings)) as other:
            self.seen["rows"] = other.execute(
                "SELECT count(*) FROM jobs WHERE id = ANY(%s) AND status = 'queued'",
                ([job.job_id for job in jobs],)).fetchone()
        self.seen["jobs"] = len(jobs)
        await super().enqueue(jobs)


def test_entries_are_added_after_the_commit(client: TestClient, settings: Settings) -> None:
    """Watch from a second connection at the moment of XADD: the rows must already be there."""
    watching: list[WatchingQueue] = []

    def watching_queue(request: Request) -> JobQueue:
        watching.append(WatchingQueue(get_job_queue(request), settings))
        return watching[-1]

    app_of(client).dependency_overrides[get_job_queue] = watching_queue
    assert client.post("/tasks", json={"goal": "g"}).status_code == 201
    [queue] = watching
    assert queue.seen == {"rows": (3,), "jobs": 3}


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
