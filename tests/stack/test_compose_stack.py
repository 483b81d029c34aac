"""The stack under Docker Compose, through the published ports on localhost only: a task is
completed by the workers and its results are in PostgreSQL, chat answers, data survives a
PostgreSQL restart, the UI works in a real browser, and every image is hygienic.

Needs the stack running (`make stack-up`; `make stack-test` starts it when it is not)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.stack.processes import ROOT, wait_http
from tests.stack.scenarios import (
    BAD_INPUT,
    check_bad_input,
    check_chat,
    check_task_completes,
    check_task_readable,
)

pytestmark = pytest.mark.stack
GATEWAY = "http://localhost:8080"
FRONTEND = "http://localhost:3000"
COMPOSE = [str(ROOT / "scripts" / "compose.sh")]
BUILT_IMAGES = ["agents-frontend", "agents-gateway", "agents-orchestrator", "agents-chat", "agents-worker"]
GO_IMAGES = ["agents-gateway", "agents-worker"]


def compose(*args: str, timeout: float = 180) -> str:
    result = subprocess.run([*COMPOSE, *args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def sql(query: str) -> str:
    return compose("exec", "-T", "postgres", "psql", "-U", "agents", "-d", "agents", "-tAc", query).strip()


def logs() -> str:
    return compose("logs", "--tail", "30")


@pytest.fixture(scope="module", autouse=True)
def stack_is_up() -> None:
    assert compose("ps", "-q").strip(), "the stack is not running: make stack-up"
    wait_http(f"{GATEWAY}/healthz", timeout=60)
    wait_http(f"{FRONTEND}/healthz", timeout=60)


def test_task_is_completed_and_survives_a_postgres_restart() -> None:
    task_id = check_task_completes(GATEWAY, sql, logs)
    compose("restart", "postgres")
    subprocess.run([str(ROOT / "scripts" / "stack-wait.sh"), "120"], check=True, capture_output=True)
    check_task_readable(GATEWAY, task_id, sql)
    # And the stack still works after the restart (connections were re-established).
    check_task_completes(GATEWAY, sql, logs)


def test_chat_answers_through_the_gateway() -> None:
    check_chat(GATEWAY)


@pytest.mark.parametrize(("method", "path", "body", "expected"), [c[:4] for c in BAD_INPUT],
                         ids=[c[4] for c in BAD_INPUT])
def test_bad_input_gets_a_4xx_json_error(method: str, path: str, body: object, expected: int) -> None:
    check_bad_input(GATEWAY, method, path, body, expected)


def test_ui_in_a_real_browser() -> None:
    frontend = ROOT / "compose" / "services" / "frontend"
    result = subprocess.run(
        ["node", "--test", "e2e/ui.e2e.mjs"], cwd=frontend, capture_output=True, text=True, timeout=180,
        env={**os.environ, "BASE_URL": FRONTEND, "SCREENSHOT": str(ROOT / "artifacts" / "ui-compose.png")},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_frontend_and_gateway_publish_ports() -> None:
    published = {}
    for container in compose("ps", "-q").split():
        info = json.loads(subprocess.run(["docker", "inspect", container], capture_output=True, text=True, check=True).stdout)[0]
        ports = [p for bindings in (info["NetworkSettings"]["Ports"] or {}).values() if bindings for p in bindings]
        if ports:
            published[info["Config"]["Labels"]["com.docker.compose.service"]] = sorted({p["HostPort"] for p in ports})
    assert published == {"frontend": ["3000"], "gateway": ["8080"]}


@pytest.mark.parametrize("image", BUILT_IMAGES)
def test_image_runs_as_non_root_with_a_healthcheck(image: str) -> None:
    config = json.loads(subprocess.run(["docker", "image", "inspect", f"{image}:latest"], capture_output=True,
                                       text=True, check=True).stdout)[0]["Config"]
    user = (config.get("User") or "").split(":")[0]
    assert user not in ("", "root", "0"), f"{image} runs as root"
    assert (config.get("Healthcheck") or {}).get("Test"), f"{image} has no HEALTHCHECK"


@pytest.mark.parametrize("image", GO_IMAGES)
def test_go_images_are_small(image: str) -> None:
    size = int(subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", f"{image}:latest"],
                              capture_output=True, text=True, check=True).stdout)
    assert size < 30 * 1024 * 1024, f"{image} is {size / 1e6:.1f} MB"
