"""End-to-end: the four services as local processes, real Redis and PostgreSQL, all traffic
through the gateway. Proves the services work together before any container is involved."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests.stack.processes import Stack, build_services, request, running_stack
from tests.stack.scenarios import (
    BAD_INPUT,
    check_bad_input,
    check_chat,
    check_task_completes,
    kill_a_worker_holding_jobs,
    wait_for_task,
    wait_until_consumer_has_nothing_pending,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    build_services()
    with running_stack(tmp_path_factory.mktemp("stack"), workers=2) as running:
        yield running


def psql(stack: Stack, sql: str) -> str:
    return subprocess.run(["psql", stack.pg_dsn, "-tAc", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_task_through_gateway_is_completed_with_right_results(stack: Stack) -> None:
    check_task_completes(stack.gateway_url, lambda q: psql(stack, q), stack.logs)


def test_chat_round_trip_plain_and_streaming(stack: Stack) -> None:
    check_chat(stack.gateway_url)


@pytest.mark.parametrize(("method", "path", "body", "expected"), [c[:4] for c in BAD_INPUT],
                         ids=[c[4] for c in BAD_INPUT])
def test_bad_input_gets_a_4xx_json_error(stack: Stack, method: str, path: str, body: object, expected: int) -> None:
    check_bad_input(stack.gateway_url, method, path, body, expected)


def test_killed_worker_loses_no_job_and_duplicates_none(stack: Stack) -> None:
    """kill -9 a worker mid-batch: its jobs are reclaimed; each job ends exactly once in results."""
    task_id = str(uuid.uuid4())
    job_ids = [str(uuid.uuid4()) for _ in range(24)]
    # 1 s jobs, four at a time: the batch lasts about 6 s, time enough to freeze a worker mid-batch.
    values = ",".join(f"('{j}', '{task_id}', 'sleep', '{{\"seconds\": 1}}', 'queued')" for j in job_ids)
    psql(stack, f"insert into tasks(id, goal, status) values ('{task_id}', 'fault test', 'pending');"
                f"insert into jobs(id, task_id, kind, payload, status) values {values}")
    for job_id in job_ids:
        subprocess.run(["redis-cli", "-u", stack.env["REDIS_URL"], "XADD", stack.env["JOBS_STREAM"], "*",
                        "job_id", job_id, "task_id", task_id, "kind", "sleep"], check=True, capture_output=True)
    victim, held = kill_a_worker_holding_jobs(stack)
    assert held > 0
    stack.start_worker()
    task = wait_for_task(stack.gateway_url, task_id, timeout=180, diagnostics=stack.logs)
    assert task["status"] == "done", task
    rows = psql(stack, f"select job_id from results where task_id = '{task_id}'").split()
    assert sorted(rows) == sorted(job_ids)  # none lost, none duplicated
    wait_until_consumer_has_nothing_pending(stack, victim)  # what it held was reclaimed


def test_tasks_survive_an_orchestrator_restart(stack: Stack) -> None:
    status, _, body = request("POST", f"{stack.gateway_url}/tasks", {"goal": "persist me", "input": "one two three"})
    assert status == 201, body
    task_id = json.loads(body)["id"]
    stack.kill("orchestrator")
    stack.start_orchestrator()
    status, _, body = request("GET", f"{stack.gateway_url}/tasks/{task_id}")
    assert status == 200, body
    assert json.loads(body)["goal"] == "persist me"
