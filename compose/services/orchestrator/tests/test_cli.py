"""`python -m orchestrator migrate|serve` as real processes: exit codes, messages, JSON logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
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


def test_serve_answers_and_logs_one_json_line_per_request(
        settings: Settings, db: psycopg.Connection) -> None:
    port = closed_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "orchestrator", "serve", "--host", "127.0.0.1"], cwd=SERVICE_DIR,
        env=service_env(settings, PORT=str(port)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer within 20 s"
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.1)
        healthy = run_cli("healthcheck", env=service_env(settings, PORT=str(port)))
        assert healthy.returncode == 0, healthy.stderr
        created = httpx.post(f"{base}/tasks", json={"goal": "g", "input": "a b"},
                             headers={"X-Request-ID": "trace-me"})
        assert created.status_code == 201
        assert httpx.get(f"{base}/tasks/not-a-uuid").status_code == 422
    finally:
        server.send_signal(signal.SIGTERM)  # what a container runtime sends
        stdout, stderr = server.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why.
    assert server.returncode in (0, -signal.SIGTERM), stderr
    lines = [json.loads(line) for line in stdout.splitlines()]  # every line is JSON
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
