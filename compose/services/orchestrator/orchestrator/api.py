"""The HTTP application: its resources (made and closed by the lifespan), middleware, error
handlers, and the routes of routes.py."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import httpx
from fastapi import FastAPI

from . import queue
from .db import create_pool
from .dependencies import Resources
from .errors import add_error_handlers
from .limits import BodySizeLimitMiddleware, max_body_bytes
from .logging import RequestLogMiddleware
from .planner import create_planner
from .routes import router
from .settings import Settings

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(settings: Settings, app: FastAPI) -> AsyncIterator[Resources]:
    """Opens the pool, the queue and the planner's HTTP client; Starlette hands the yielded state
    to every request (dependencies.py)."""
    pool = create_pool(settings)
    await pool.open(wait=False)
    jobs = queue.JobQueue(queue.connect(settings.redis_url), settings.jobs_stream)
    http = httpx.AsyncClient()
    planner = create_planner(
        settings.planner, client=http, chunk_words=settings.chunk_words,
        chat_url=settings.chat_url, timeout_seconds=settings.planner_timeout_seconds)
    log.info("orchestrator started", extra={"planner": settings.planner})
    try:
        yield {"settings": settings, "pool": pool, "jobs": jobs, "planner": planner}
    finally:
        await http.aclose()
        await jobs.aclose()
        await pool.close()


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="orchestrator", lifespan=partial(lifespan, settings))
    # The last added runs first: the request id exists before a body is refused.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes(settings.max_input_bytes))
    app.add_middleware(RequestLogMiddleware)
    add_error_handlers(app)
    app.include_router(router)
    return app
