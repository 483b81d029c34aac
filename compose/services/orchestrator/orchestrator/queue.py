"""The job queue: one Redis stream entry per job that is ready to run."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

CONNECT_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class QueuedJob:
    job_id: UUID
    task_id: UUID
    kind: str


def connect(url: str) -> Redis:
    # redis-py's default retries for several seconds; a request should fail fast instead.
    return Redis.from_url(url, decode_responses=True,
                          socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=5,
                          retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=3))


class JobQueue:
    """The stream the workers read (JOBS_STREAM), on one Redis connection pool."""

    def __init__(self, redis: Redis, stream: str) -> None:
        self.redis, self.stream = redis, stream

    async def enqueue(self, jobs: list[QueuedJob]) -> None:
        """XADD the jobs (fields job_id, task_id, kind, per CONTRACT.md).

        Call only after the transaction that stored the jobs has committed: a worker may read an
        entry at once and must find its row. MULTI/EXEC makes the batch all-or-nothing.
        """
        if not jobs:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            for job in jobs:
                pipe.xadd(self.stream, {"job_id": str(job.job_id), "task_id": str(job.task_id),
                                        "kind": job.kind})
            await pipe.execute()

    async def ping(self) -> None:
        await self.redis.ping()

    async def aclose(self) -> None:
        await self.redis.aclose()
