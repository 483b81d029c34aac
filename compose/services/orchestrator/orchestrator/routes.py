"""The HTTP API's routes: create tasks, read them, and report health (shapes in models.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Response
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel
from redis.exceptions import RedisError

from . import store
from .dependencies import JobQueueDep, PlannerDep, PoolDep, SettingsDep
from .errors import ApiError
from .models import Task, TaskCreate, TaskList, TaskStatus
from .queue import JobQueue, QueuedJob

log = logging.getLogger("orchestrator.api")
READY_TIMEOUT_SECONDS = 2.0

router = APIRouter()


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str]  # "ok", or "error: <why>"


@router.post("/tasks", status_code=201)
async def create_task(body: TaskCreate, settings: SettingsDep, pool: PoolDep,
                      jobs: JobQueueDep, planner: PlannerDep) -> Task:
    text = body.input or ""
    size = len(text.encode("utf-8"))
    if size > settings.max_input_bytes:
        raise ApiError(413, "payload_too_large",
                       f"input is {size} bytes; the limit is {settings.max_input_bytes}")
    plan = await planner.plan(body.goal, text)
    task_id, job_ids = uuid4(), [uuid4() for _ in plan]
    async with pool.connection() as conn:
        await store.insert_task(conn, task_id, body.goal, text, plan, job_ids)
    # Only after the commit: a worker reading the entry at once must find the job's row.
    ready = [QueuedJob(job_ids[i], task_id, spec.kind)
             for i, spec in enumerate(plan) if not spec.depends_on]
    try:
        await jobs.enqueue(ready)
    except RedisError as exc:
        log.error("could not queue jobs", extra={"task_id": str(task_id), "reason": str(exc)})
        async with pool.connection() as conn:
            await store.fail_unqueued(conn, task_id, "the job queue (Redis) was unreachable")
        raise ApiError(503, "queue_unavailable",
                       f"task {task_id} was stored but its jobs could not be queued; "
                       "it is marked failed, retry later") from None
    log.info("task created", extra={"task_id": str(task_id), "jobs": len(plan),
                                    "queued": len(ready)})
    async with pool.connection() as conn:
        return await _task_or_404(conn, task_id)


@router.get("/tasks/{task_id}")
async def read_task(task_id: UUID, pool: PoolDep) -> Task:
    async with pool.connection() as conn:
        return await _task_or_404(conn, task_id)


@router.get("/tasks")
async def list_tasks(pool: PoolDep,
                     limit: Annotated[int, Query(ge=1, le=100)] = 20,
                     status: Annotated[TaskStatus | None, Query()] = None) -> TaskList:
    async with pool.connection() as conn:
        rows = await store.list_tasks(conn, limit, status)
    return TaskList(tasks=[Task.model_validate(row) for row in rows])


@router.get("/healthz")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz")
async def readyz(response: Response, pool: PoolDep, jobs: JobQueueDep) -> Readiness:
    postgres, redis = await asyncio.gather(_check_postgres(pool), _check_redis(jobs))
    checks = {"postgres": postgres, "redis": redis}
    ready = all(result == "ok" for result in checks.values())
    response.status_code = 200 if ready else 503
    return Readiness(status="ok" if ready else "unavailable", checks=checks)


async def _task_or_404(conn: AsyncConnection, task_id: UUID) -> Task:
    task = await store.get_task(conn, task_id)
    if task is None:
        raise ApiError(404, "not_found", f"no task with id {task_id}")
    return Task.model_validate(task)


async def _check_postgres(pool: AsyncConnectionPool) -> str:
    try:
        async with pool.connection(timeout=READY_TIMEOUT_SECONDS) as conn:
            await conn.execute("SELECT 1")
    except Exception as exc:  # any failure means "not ready"; the reason goes in the body
        return f"error: {type(exc).__name__}: {exc}".strip()
    return "ok"


async def _check_redis(jobs: JobQueue) -> str:
    try:
        # wait_for bounds redis-py's own retries with backoff on a refused connection.
        await asyncio.wait_for(jobs.ping(), READY_TIMEOUT_SECONDS)
    except Exception as exc:
        return f"error: {type(exc).__name__}: {exc}".strip()
    return "ok"
