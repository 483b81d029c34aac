"""`python -m orchestrator migrate|serve` as real processes: exit codes, messages, JSON logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from helpers import closed_port
from orchestrator.db import conninfo
from orchestrator.settings import Settings

SERVICE_DIR = Path(__file__).resolve().parents[1]


def service_env(settings: Settings, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "REDIS_"))}
    env.update(POSTGRES_HOST=settings.postgres_host, POSTGRES_PORT=str(settings.postgres_port),
               POSTGRES_DB=settings.postgres_db, POSTGRES_USER=settings.postgres_user,
               REDIS_URL=settings.redis_url, JOBS_STREAM=settings.jobs_stream)
    env.update(overrides)
    return env


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orchestrator", *args], cwd=SERVICE_DIR,
                          env=env, capture_output=True, text=True, timeout=60)


def test_migrate_applies_then_reports_up_to_date(settings: Settings) -> None:
    first = run_cli("migrate", env=service_env(settings))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.splitlines()[-1])["message"] == "migrations applied"
    second = run_cli("migrate", env=service_env(settings))
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout.splitlines()[-1])["message"] == "schema up to date"
    with psycopg.connect(conninfo(settings)) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (2,)


def test_migrate_gives_up_clearly_when_postgres_is_unreachable(settings: Settings) -> None:
    started = time.monotonic()
    result = run_cli("migrate", "--wait", "1",
                     env=service_env(settings, POSTGRES_PORT=str(closed_port())))
    assert result.returncode == 1
    assert "cannot reach PostgreSQL" in result.stderr and "after 1s" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 20  # bounded retry, not forever


def test_bad_configuration_exits_2_without_traceback(settings: Settings, tmp_path: Path) -> None:
    for overrides, words in [
        ({"PORT": "eighty"}, "PORT='eighty' is not an integer"),
        ({"PLANNER": "magic"}, "PLANNER='magic' is not one of rules, llm"),
        ({"POSTGRES_PASSWORD_FILE": str(tmp_path / "missing")}, "POSTGRES_PASSWORD_FILE"),
    ]:
        result = run_cli("migrate", env=service_env(settings, **overrides))
        assert result.returncode == 2, overrides
        assert words in result.stderr and "Traceback" not in result.stderr


def test_healthcheck_fails_when_nothing_listens(settings: Settings) -> None:
    result = run_cli("healthcheck", "--port", str(closed_port()), env=service_env(settings))
    assert result.returncode == 1
    assert "/healthz" in result.stderr and "Traceback" not in result.stderr


def test_healthcheck_with_bad_configuration_is_unhealthy_not_2(settings: Settings) -> None:
    """Docker reserves exit code 2 for health checks; the reason still goes to stderr."""
    result = run_cli("healthcheck", env=service_env(settings, PORT="web"))
    assert result.returncode == 1
    assert "PORT" in result.stderr and "Traceback" not in result.stderr


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""


@contextmanager
def served(settings: Settings) -> Iterator[Served]:
    """`python -m orchestrator serve` as a real process on a free loopback port."""
    port = closed_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestrator", "serve", "--host", "127.0.0.1"], cwd=SERVICE_DIR,
        env=service_env(settings, PORT=str(port)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    server = Served(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{server.url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer within 20 s"
            assert process.poll() is None, "the server exited early"
            time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)  # what a container runtime sends
        server.stdout, server.stderr = process.communicate(timeout=20)


def test_serve_answers_and_logs_one_json_line_per_request(
        settings: Settings, db: psycopg.Connection) -> None:
    with served(settings) as server:
        port = server.url.rsplit(":", 1)[1]
        healthy = run_cli("healthcheck", env=service_env(settings, PORT=port))
        assert healthy.returncode == 0, healthy.stderr
        created = httpx.post(f"{server.url}/tasks", json={"goal": "g", "input": "a b"},
                             headers={"X-Request-ID": "trace-me"})
        assert created.status_code == 201
        assert httpx.get(f"{server.url}/tasks/not-a-uuid").status_code == 422
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why.
    assert server.process.returncode in (0, -signal.SIGTERM), server.stderr
    lines = [json.loads(line) for line in server.stdout.splitlines()]  # every line is JSON
    assert lines[-2]["message"] == "Application shutdown complete."
    requests = [line for line in lines if line["message"] == "request"]
    post = next(r for r in requests if r["request_id"] == "trace-me")
    assert (post["method"], post["path"], post["status"]) == ("POST", "/tasks", 201)
    assert isinstance(post["duration_ms"], float) and post["duration_ms"] > 0
    assert {"time", "level", "logger"} <= set(post)
    bad = next(r for r in requests if r["path"] == "/tasks/not-a-uuid")
    assert bad["status"] == 422 and bad["request_id"]
    created_line = next(line for line in lines if line["message"] == "task created")
    assert created_line["request_id"] == "trace-me"


def finish_tasks_like_a_worker(settings: Settings, stop: threading.Event) -> None:
    """A STAND-IN for the Go worker (not started here): ends every task as `done`."""
    with psycopg.connect(conninfo(settings), autocommit=True) as conn:
        while not stop.wait(0.05):
            conn.execute("UPDATE jobs SET status = 'done' WHERE status <> 'done'")
            conn.execute("UPDATE tasks SET status = 'done', finished_at = now()"
                         " WHERE status <> 'done'")


def test_loadgen_creates_the_tasks_and_waits_until_they_are_done(
        settings: Settings, db: psycopg.Connection) -> None:
    stop = threading.Event()
    worker = threading.Thread(target=finish_tasks_like_a_worker, args=(settings, stop))
    with served(settings) as server:
        worker.start()
        try:
            result = run_cli("loadgen", "--url", server.url, "--tasks", "7", "--timeout", "30",
                             env=service_env(settings))
        finally:
            stop.set()
            worker.join()
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("tasks", "created", "done", "failed", "unfinished", "ok")} == {
        "tasks": 7, "created": 7, "done": 7, "failed": 0, "unfinished": 0, "ok": True}
    assert summary["create_p50_ms"] > 0
    goals = sorted(r[0] for r in db.execute("SELECT goal FROM tasks"))
    assert goals == sorted(f"load test task {i}" for i in range(7))


def test_loadgen_fails_when_tasks_do_not_finish_in_time(
        settings: Settings, db: psycopg.Connection) -> None:
    with served(settings) as server:  # no worker: the tasks stay pending
        result = run_cli("loadgen", "--url", server.url, "--tasks", "2", "--timeout", "1",
                         env=service_env(settings))
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["unfinished"], summary["ok"]) == (2, 2, False)


def test_loadgen_refuses_an_unbounded_batch(settings: Settings) -> None:
    result = run_cli("loadgen", "--tasks", "100000", env=service_env(settings))
    assert result.returncode == 2 and "between 1 and 10000" in result.stderr
