"""The HTTP API: create tasks, read them, and report health."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import queue, store
from .db import create_pool
from .limits import BodySizeLimitMiddleware, max_body_bytes
from .logging import RequestLogMiddleware, request_id_var
from .models import Task, TaskCreate, TaskList, TaskStatus
from .planner import Planner, create_planner
from .settings import Settings

log = logging.getLogger(__name__)
READY_TIMEOUT_SECONDS = 2.0


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "request_id"}} (CONTRACT.md)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    body = {"code": code, "message": message, "request_id": request_id_var.get(), **extra}
    return JSONResponse({"error": body}, status_code=status)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = create_pool(settings)
        await pool.open(wait=False)
        redis = queue.connect(settings.redis_url)
        http = httpx.AsyncClient()
        app.state.pool, app.state.redis = pool, redis
        app.state.planner = create_planner(
            settings.planner, client=http, chunk_words=settings.chunk_words,
            chat_url=settings.chat_url, timeout_seconds=settings.planner_timeout_seconds)
        log.info("orchestrator started", extra={"planner": settings.planner})
        try:
            yield
        finally:
            await http.aclose()
            await redis.aclose()
            await pool.close()

    app = FastAPI(title="orchestrator", lifespan=lifespan)
    # The last added runs first: the request id exists before a body is refused.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes(settings.max_input_bytes))
    app.add_middleware(RequestLogMiddleware)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(psycopg.OperationalError)  # includes the pool's PoolTimeout
    async def _database_down(request: Request, exc: psycopg.OperationalError) -> JSONResponse:
        log.error("database unavailable", extra={"reason": str(exc)})
        return error_response(503, "database_unavailable", "the database is not reachable")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": list(e["loc"]), "message": e["msg"], "type": e["type"]}
                   for e in exc.errors()]
        summary = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['message']}" for d in details)
        return error_response(422, "validation_error", summary, details=details)

    @app.post("/tasks", status_code=201, response_model=Task)
    async def create_task(body: TaskCreate, request: Request) -> dict[str, Any]:
        text = body.input or ""
        size = len(text.encode("utf-8"))
        if size > settings.max_input_bytes:
            raise ApiError(413, "payload_too_large",
                           f"input is {size} bytes; the limit is {settings.max_input_bytes}")
        state = request.app.state
        planner: Planner = state.planner
        plan = await planner.plan(body.goal, text)
        task_id, job_ids = uuid4(), [uuid4() for _ in plan]
        async with state.pool.connection() as conn:
            await store.insert_task(conn, task_id, body.goal, text, plan, job_ids)
        # Only after the commit: a worker reading the entry at once must find the job's row.
        ready = [queue.QueuedJob(job_ids[i], task_id, spec.kind)
                 for i, spec in enumerate(plan) if not spec.depends_on]
        try:
            await queue.enqueue(state.redis, settings.jobs_stream, ready)
        except RedisError as exc:
            log.error("could not queue jobs", extra={"task_id": str(task_id), "reason": str(exc)})
            async with state.pool.connection() as conn:
                await store.fail_unqueued(conn, task_id, "the job queue (Redis) was unreachable")
            raise ApiError(503, "queue_unavailable",
                           f"task {task_id} was stored but its jobs could not be queued; "
                           "it is marked failed, retry later") from None
        log.info("task created", extra={"task_id": str(task_id), "jobs": len(plan),
                                        "queued": len(ready)})
        async with state.pool.connection() as conn:
            return await _task_or_404(conn, task_id)

    @app.get("/tasks/{task_id}", response_model=Task)
    async def read_task(task_id: UUID, request: Request) -> dict[str, Any]:
        async with request.app.state.pool.connection() as conn:
            return await _task_or_404(conn, task_id)

    @app.get("/tasks", response_model=TaskList)
    async def list_tasks(request: Request, limit: int = Query(20, ge=1, le=100),
                         status: TaskStatus | None = None) -> dict[str, Any]:
        async with request.app.state.pool.connection() as conn:
            return {"tasks": await store.list_tasks(conn, limit, status)}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        state = request.app.state
        postgres, redis = await asyncio.gather(_check_postgres(state.pool),
                                               _check_redis(state.redis))
        checks = {"postgres": postgres, "redis": redis}
        ready = all(result == "ok" for result in checks.values())
        return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                            status_code=200 if ready else 503)

    return app


async def _task_or_404(conn: AsyncConnection, task_id: UUID) -> dict[str, Any]:
    task = await store.get_task(conn, task_id)
    if task is None:
        raise ApiError(404, "not_found", f"no task with id {task_id}")
    return task


async def _check_postgres(pool: AsyncConnectionPool) -> str:
    try:
        async with pool.connection(timeout=READY_TIMEOUT_SECONDS) as conn:
            await conn.execute("SELECT 1")
    except Exception as exc:  # any failure means "not ready"; the reason goes in the body
        return f"error: {type(exc).__name__}: {exc}".strip()
    return "ok"


async def _check_redis(redis: Redis) -> str:
    try:
        # wait_for bounds redis-py's own retries with backoff on a refused connection.
        await asyncio.wait_for(redis.ping(), READY_TIMEOUT_SECONDS)
    except Exception as exc:
        return f"error: {type(exc).__name__}: {exc}".strip()
    return "ok"
