"""`orchestrator loadgen`: send a bounded batch of tasks to an API and wait until they end.

Used by the compose file's `load` profile (through the gateway) to put the stack to work; prints
one JSON summary line. Deterministic inputs, so two runs ask for the same work.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass

import httpx

TERMINAL = ("done", "failed")
TEXT = ("Redis streams carry jobs from the orchestrator to the workers. Each worker stores its "
        "results in PostgreSQL exactly once. The gateway routes tasks to the orchestrator and "
        "chat to the chat service. ")


@dataclass(frozen=True)
class Summary:
    tasks: int
    created: int
    done: int
    failed: int
    unfinished: int
    create_p50_ms: float
    create_p99_ms: float
    seconds: float

    @property
    def ok(self) -> bool:
        return self.done == self.tasks

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


def task_body(index: int) -> dict[str, str]:
    return {"goal": f"load test task {index}", "input": f"Task {index}. " + TEXT * (1 + index % 3)}


def _percentile(sorted_ms: list[float], fraction: float) -> float:
    if not sorted_ms:
        return 0.0
    return round(sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * fraction))], 3)


async def run(url: str, tasks: int, concurrency: int, timeout_seconds: float,
              poll_seconds: float = 0.2) -> Summary:
    started = time.monotonic()
    deadline = started + timeout_seconds
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: dict[str, str] = {}

    async def create(client: httpx.AsyncClient, index: int) -> None:
        async with limit:
            t0 = time.perf_counter()
            try:
                response = await client.post("/tasks", json=task_body(index))
            except httpx.HTTPError:
                return  # counted as not created
            if response.status_code == 201:
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[response.json()["id"]] = "pending"

    async def wait(client: httpx.AsyncClient, task_id: str) -> None:
        while time.monotonic() < deadline:
            async with limit:
                try:
                    response = await client.get(f"/tasks/{task_id}")
                    if response.status_code == 200:
                        statuses[task_id] = response.json()["status"]
                except httpx.HTTPError:
                    pass  # a restarting service: try again until the deadline
            if statuses[task_id] in TERMINAL:
                return
            await asyncio.sleep(poll_seconds)

    async with httpx.AsyncClient(base_url=url.rstrip("/"), timeout=30) as client:
        await asyncio.gather(*(create(client, i) for i in range(tasks)))
        await asyncio.gather(*(wait(client, task_id) for task_id in list(statuses)))

    latencies.sort()
    values = list(statuses.values())
    return Summary(
        tasks=tasks, created=len(statuses), done=values.count("done"),
        failed=values.count("failed"),
        unfinished=sum(status not in TERMINAL for status in values),
        create_p50_ms=_percentile(latencies, 0.5), create_p99_ms=_percentile(latencies, 0.99),
        seconds=round(time.monotonic() - started, 3))
