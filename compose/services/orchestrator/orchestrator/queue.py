"""The job queue: one Redis stream entry per job that is ready to run."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from redis.asyncio import Redis


@dataclass(frozen=True)
class QueuedJob:
    job_id: UUID
    task_id: UUID
    kind: str


async def enqueue(redis: Redis, stream: str, jobs: list[QueuedJob]) -> None:
    """XADD the jobs (fields job_id, task_id, kind, per CONTRACT.md).

    Call only after the transaction that stored the jobs has committed: a worker may read an
    entry at once and must find its row. MULTI/EXEC makes the batch all-or-nothing.
    """
    if not jobs:
        return
    async with redis.pipeline(transaction=True) as pipe:
        for job in jobs:
            pipe.xadd(stream, {"job_id": str(job.job_id), "task_id": str(job.task_id),
                               "kind": job.kind})
        await pipe.execute()
