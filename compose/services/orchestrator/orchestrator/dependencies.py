"""What a route needs, as FastAPI dependencies. The app's lifespan makes the resources
(api.lifespan) and Starlette hands its state to every request; tests replace any of them with
`app.dependency_overrides`."""

from __future__ import annotations

from typing import Annotated, TypedDict

from fastapi import Depends, Request
from psycopg_pool import AsyncConnectionPool

from .planner import Planner
from .queue import JobQueue
from .settings import Settings


class Resources(TypedDict):
    """The lifespan's state: what every request can reach."""

    settings: Settings
    pool: AsyncConnectionPool
    jobs: JobQueue
    planner: Planner


def get_settings(request: Request) -> Settings:
    settings: Settings = request.state.settings
    return settings


def get_pool(request: Request) -> AsyncConnectionPool:
    pool: AsyncConnectionPool = request.state.pool
    return pool


def get_job_queue(request: Request) -> JobQueue:
    jobs: JobQueue = request.state.jobs
    return jobs


def get_planner(request: Request) -> Planner:
    planner: Planner = request.state.planner
    return planner


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[AsyncConnectionPool, Depends(get_pool)]
JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]
PlannerDep = Annotated[Planner, Depends(get_planner)]
