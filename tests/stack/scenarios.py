"""The stack's end-to-end checks, written once and run against every way the stack runs:
local processes, Docker Compose, and (later) the kind cluster. Each takes the gateway's base URL
and, where it must look into PostgreSQL, a `sql(query) -> str` function."""

from __future__ import annotations

import json
import re
import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from tests.stack.processes import parse_xpending_summary, request

Sql = Callable[[str], str]

TEXT = (
    "Redis keeps the queue. PostgreSQL keeps the results. Workers take jobs from the queue and "
    "store results. The gateway routes tasks to the orchestrator and chat to the chat service. "
) * 30

BAD_INPUT = [
    ("POST", "/tasks", {}, 422, "task-without-goal"),
    ("POST", "/tasks", {"goal": ""}, 422, "task-empty-goal"),
    ("GET", "/tasks/not-a-uuid", None, 422, "bad-task-id"),
    ("GET", f"/tasks/{uuid.UUID(int=0)}", None, 404, "unknown-task"),
    ("POST", "/chat", {"messages": []}, 400, "chat-no-messages"),
    ("GET", "/nowhere", None, 404, "no-route"),
]


def wait_for_task(base_url: str, task_id: str, timeout: float = 60, diagnostics: Callable[[], str] = str) -> dict:
    deadline = time.monotonic() + timeout
    task: dict = {}
    while time.monotonic() < deadline:
        status, _, body = request("GET", f"{base_url}/tasks/{task_id}")
        assert status == 200, body
        task = json.loads(body)
        if task["status"] in ("done", "failed"):
            return task
        time.sleep(0.3)
    raise AssertionError(f"task {task_id} not finished after {timeout}s: {task}\n{diagnostics()}")


def create_task(base_url: str, goal: str, text: str) -> str:
    status, headers, body = request("POST", f"{base_url}/tasks", {"goal": goal, "input": text})
    assert status == 201, body
    assert headers.get("X-Request-ID") or headers.get("X-Request-Id"), headers
    return str(json.loads(body)["id"])


def check_task_completes(base_url: str, sql: Sql, diagnostics: Callable[[], str] = str) -> str:
    """A task through the gateway is completed by the workers with the right results, and the
    results are in PostgreSQL. Returns the task id."""
    task = wait_for_task(base_url, create_task(base_url, "analyse the architecture note", TEXT),
                         diagnostics=diagnostics)
    assert task["status"] == "done", task
    kinds = Counter(job["kind"] for job in task["jobs"])
    assert kinds["aggregate"] == 1 and kinds["wordcount"] == kinds["summarize"] == kinds["keywords"] >= 1
    aggregate = next(job for job in task["jobs"] if job["kind"] == "aggregate")
    assert aggregate["result"]["words"] == len(TEXT.split())
    expected_top = Counter(w for w in re.findall(r"[a-z]+", TEXT.lower()) if len(w) > 3).most_common(1)[0][0]
    assert expected_top in aggregate["result"]["keywords"]
    assert sql(f"select count(*) from results where task_id = '{task['id']}'") == str(len(task["jobs"]))
    return str(task["id"])


def check_chat(base_url: str) -> None:
    """Chat round trip through the gateway, plain and streaming (SSE)."""
    status, _, body = request("POST", f"{base_url}/chat", {"messages": [{"role": "user", "content": "hello"}]})
    assert status == 200, body
    reply = json.loads(body)
    assert reply["message"]["role"] == "assistant" and reply["message"]["content"]
    conversation = reply["conversation_id"]
    status, headers, body = request(
        "POST", f"{base_url}/chat",
        {"conversation_id": conversation, "stream": True, "messages": [{"role": "user", "content": "hello again"}]},
        headers={"Accept": "text/event-stream"})
    assert status == 200
    assert headers.get("Content-Type", "").startswith("text/event-stream")
    events = re.findall(r"event: (\w+)\ndata: (.*)\n", body.decode())
    assert [name for name, _ in events].count("delta") >= 1
    name, data = events[-1]
    assert name == "done"
    final = json.loads(data)
    assert final["conversation_id"] == conversation
    assert "".join(json.loads(d)["content"] for n, d in events if n == "delta") == final["message"]["content"]


def check_bad_input(base_url: str, method: str, path: str, body: object, expected: int) -> None:
    status, headers, payload = request(method, f"{base_url}{path}", body)
    assert status == expected, payload
    assert headers.get("Content-Type", "").startswith("application/json")
    json.loads(payload)


def check_task_readable(base_url: str, task_id: str, sql: Sql) -> None:
    """After a restart: the task and its results are still there."""
    status, _, body = request("GET", f"{base_url}/tasks/{task_id}")
    assert status == 200, body
    task = json.loads(body)
    assert task["status"] == "done"
    assert sql(f"select count(*) from results where task_id = '{task_id}'") == str(len(task["jobs"]))


class WorkerControl(Protocol):
    """What the killed-worker scenario needs from a platform: its worker processes, a way to
    signal one (SIGSTOP freezes it, SIGCONT thaws it, SIGKILL kills it, even while frozen), the
    Redis consumer name each one reads as, and the queue's pending entries per consumer."""

    def workers(self) -> list[str]: ...

    def consumer(self, worker: str) -> str: ...

    def signal_worker(self, worker: str, sig: signal.Signals) -> None: ...

    def pending_by_consumer(self) -> dict[str, int]: ...


def kill_a_worker_holding_jobs(control: WorkerControl, timeout: float = 180) -> tuple[str, int]:
    """SIGKILL a worker at a moment it holds entries it has not acknowledged, and return its
    consumer name and how many it held. Every worker is frozen first, so nothing changes between
    looking at the pending entries and the kill; the others are thawed afterwards. If none holds
    anything (between jobs), all are thawed and looked at again. Without held entries a "killed
    worker loses no job" test would pass without exercising the reclaim. The batch of jobs must
    last long enough for the platform's freeze to land while it runs (seconds, not milliseconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        consumers = {worker: control.consumer(worker) for worker in control.workers()}
        for worker in consumers:
            control.signal_worker(worker, signal.SIGSTOP)
        victim = None
        try:
            pending = control.pending_by_consumer()
            victim = next((w for w, c in consumers.items() if pending.get(c, 0) > 0), None)
            if victim is not None:
                control.signal_worker(victim, signal.SIGKILL)
                return consumers[victim], pending[consumers[victim]]
        finally:
            for worker in consumers:
                if worker != victim:
                    control.signal_worker(worker, signal.SIGCONT)
        time.sleep(0.2)
    raise AssertionError(f"no worker held an unacknowledged entry within {timeout}s: "
                         f"{control.pending_by_consumer()} (the batch ended before a worker could be frozen?)")


def wait_until_consumer_has_nothing_pending(control: WorkerControl, consumer: str, timeout: float = 180) -> None:
    """The killed worker's entries leave its pending list only when another worker claims them."""
    deadline = time.monotonic() + timeout
    while (held := control.pending_by_consumer().get(consumer, 0)) > 0:
        assert time.monotonic() < deadline, f"{held} entries still pending for the killed {consumer} after {timeout}s"
        time.sleep(0.5)
