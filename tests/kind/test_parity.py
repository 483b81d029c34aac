"""Parity: the stack's end-to-end scenarios (tests/stack/scenarios.py) against Docker Compose and
against the kind cluster, through the published ports on localhost, plus the faults each platform
must absorb: a worker killed mid-batch loses no job, PostgreSQL restarted (Compose) or its Pod
deleted (kind) keeps the data. test_kind_cluster.py adds the checks that only exist on kind.

PARITY_BACKEND=compose|kind picks the platform (scripts/kind/parity.sh runs both). The stack must
be up: make stack-up / make kind-up. Missing backend or stack → the tests fail, never skip."""

from __future__ import annotations

import os
import time
import urllib.request
import uuid

import pytest

from tests.kind.backends import FRONTEND, GATEWAY, Backend, ComposeBackend, KindBackend
from tests.stack.processes import request, wait_http
from tests.stack.scenarios import (
    BAD_INPUT,
    check_bad_input,
    check_chat,
    check_task_completes,
    check_task_readable,
    kill_a_worker_holding_jobs,
    wait_for_task,
    wait_until_consumer_has_nothing_pending,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def backend() -> Backend:
    name = os.environ.get("PARITY_BACKEND", "")
    backends = {"compose": ComposeBackend, "kind": KindBackend}
    assert name in backends, f"PARITY_BACKEND must be one of {sorted(backends)}, not {name!r} (see scripts/kind/parity.sh)"
    chosen = backends[name]()
    chosen.wait_healthy()
    wait_http(f"{GATEWAY}/healthz", timeout=60)
    wait_http(f"{FRONTEND}/healthz", timeout=60)
    return chosen


def wait_until_database_reachable(url: str, timeout: float) -> float:
    """Polls url until it stops answering 503; returns how long that took."""
    start = time.monotonic()
    while True:
        status, _, body = request("GET", url)
        if status != 503:
            return time.monotonic() - start
        assert time.monotonic() - start < timeout, f"{url} still answers 503 after {timeout}s: {body!r}"
        time.sleep(0.5)


def test_task_is_completed_and_survives_a_postgres_restart(backend: Backend) -> None:
    task_id = check_task_completes(GATEWAY, backend.sql, backend.logs)
    backend.restart_postgres()
    backend.wait_healthy()
    # On Kubernetes the new PostgreSQL Pod has a new IP; the orchestrator's pooled connections to
    # the old one fail first (503 database_unavailable) and are replaced. Allow that, bounded.
    wait_until_database_reachable(f"{GATEWAY}/tasks/{task_id}", timeout=60)
    check_task_readable(GATEWAY, task_id, backend.sql)
    # The services reconnected: a new task still goes all the way through.
    check_task_completes(GATEWAY, backend.sql, backend.logs)


def test_chat_answers_through_the_gateway(backend: Backend) -> None:
    check_chat(GATEWAY)


@pytest.mark.parametrize(("method", "path", "body", "expected"), [c[:4] for c in BAD_INPUT],
                         ids=[c[4] for c in BAD_INPUT])
def test_bad_input_gets_a_4xx_json_error(backend: Backend, method: str, path: str, body: object,
                                         expected: int) -> None:
    check_bad_input(GATEWAY, method, path, body, expected)


def test_frontend_is_served_on_its_published_port(backend: Backend) -> None:
    with urllib.request.urlopen(f"{FRONTEND}/", timeout=10) as response:
        assert response.status == 200
        assert b"<html" in response.read().lower()


def test_killed_worker_mid_batch_loses_no_job(backend: Backend) -> None:
    """24 slow jobs queued at once, one worker killed while both hold jobs: every job ends in the
    results exactly once (the survivor or the replacement reclaims the victim's pending jobs)."""
    task_id = str(uuid.uuid4())
    job_ids = [str(uuid.uuid4()) for _ in range(24)]
    # 3 s jobs, four at a time: the batch lasts about 18 s, time enough to freeze a worker mid-batch.
    values = ",".join(f"('{j}', '{task_id}', 'sleep', '{{\"seconds\": 3}}', 'queued')" for j in job_ids)
    backend.sql(f"insert into tasks(id, goal, status) values ('{task_id}', 'parity fault test', 'pending');"
                f"insert into jobs(id, task_id, kind, payload, status) values {values}")
    for job_id in job_ids:
        backend.redis("XADD", "agent:jobs", "*", "job_id", job_id, "task_id", task_id, "kind", "sleep")
    victim, held = kill_a_worker_holding_jobs(backend)
    assert held > 0
    backend.replace_killed_workers()
    task = wait_for_task(GATEWAY, task_id, timeout=240, diagnostics=backend.logs)
    assert task["status"] == "done", task
    rows = backend.sql(f"select job_id from results where task_id = '{task_id}'").split()
    assert sorted(rows) == sorted(job_ids)  # none lost, none duplicated
    wait_until_consumer_has_nothing_pending(backend, victim)  # what it held was reclaimed
    backend.wait_healthy()
