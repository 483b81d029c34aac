"""SQL for tasks and jobs (the tables made by migrations/)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from .planner import JobSpec

_TASK_COLUMNS = "id, goal, input, status, created_at, started_at, finished_at"


async def insert_task(conn: AsyncConnection, task_id: UUID, goal: str, input: str,
                      plan: list[JobSpec], job_ids: list[UUID]) -> None:
    """Store a task and its jobs in one transaction: jobs with no dependency start `queued`."""
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO tasks (id, goal, input, status) VALUES (%s, %s, %s, 'pending')",
            (task_id, goal, input))
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO jobs (id, task_id, position, kind, payload, depends_on, status)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(job_ids[i], task_id, i, spec.kind, Jsonb(spec.payload),
                  [job_ids[d] for d in spec.depends_on],
                  "pending" if spec.depends_on else "queued")
                 for i, spec in enumerate(plan)])


async def fail_unqueued(conn: AsyncConnection, task_id: UUID, error: str) -> None:
    """Mark a task whose jobs never reached the queue as failed, so it doesn't hang forever."""
    async with conn.transaction():
        await conn.execute(
            "UPDATE jobs SET status = 'failed', error = %s, finished_at = now()"
            " WHERE task_id = %s AND status IN ('pending', 'queued')", (error, task_id))
        await conn.execute(
            "UPDATE tasks SET status = 'failed', finished_at = now()"
            " WHERE id = %s AND status IN ('pending', 'running')", (task_id,))


async def get_task(conn: AsyncConnection, task_id: UUID) -> dict[str, Any] | None:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = %s", (task_id,))
        task = await cur.fetchone()
    if task is None:
        return None
    await _attach_jobs(conn, [task])
    return task


async def list_tasks(conn: AsyncConnection, limit: int,
                     status: str | None = None) -> list[dict[str, Any]]:
    """Newest first; ties (same transaction start) broken by id so the order is stable."""
    where = "WHERE status = %(status)s" if status is not None else ""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT {_TASK_COLUMNS} FROM tasks {where}"
            " ORDER BY created_at DESC, id DESC LIMIT %(limit)s",
            {"status": status, "limit": limit})
        tasks = await cur.fetchall()
    await _attach_jobs(conn, tasks)
    return tasks


async def _attach_jobs(conn: AsyncConnection, tasks: list[dict[str, Any]]) -> None:
    """Add each task's jobs, in plan order, each with its result (None until done)."""
    if not tasks:
        return
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT j.task_id, j.id, j.kind, j.status, j.depends_on, j.attempts,"
            " r.output AS result, j.error, j.created_at, j.started_at, j.finished_at"
            " FROM jobs j LEFT JOIN results r ON r.job_id = j.id"
            " WHERE j.task_id = ANY(%s) ORDER BY j.task_id, j.position",
            ([task["id"] for task in tasks],))
        jobs_by_task: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
        for job in await cur.fetchall():
            jobs_by_task[job.pop("task_id")].append(job)
    for task in tasks:
        task["jobs"] = jobs_by_task.get(task["id"], [])
