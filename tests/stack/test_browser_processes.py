"""The web UI in a real browser (Debian's Chromium through playwright-core) against the stack
running as local processes: submit a task, see it reach done with results, chat. A screenshot is
saved to artifacts/ui-processes.png."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.stack.processes import ROOT, SERVICES, build_services, free_port, running_stack, wait_http

pytestmark = pytest.mark.stack
FRONTEND = SERVICES / "frontend"


def test_ui_in_a_real_browser(tmp_path: Path) -> None:
    assert Path("/usr/bin/chromium").exists(), "chromium is missing: run scripts/install-system-deps.sh browser"
    build_services()
    subprocess.run(["make", "-C", str(ROOT), "frontend-build"], check=True, capture_output=True)
    ui_port = free_port()
    origin = f"http://127.0.0.1:{ui_port}"
    with running_stack(tmp_path, workers=1, extra_env={"CORS_ALLOWED_ORIGINS": origin}) as stack:
        ui = stack.start("frontend", ["node", "server.mjs"], FRONTEND,
                         {"PORT": str(ui_port), "GATEWAY_URL": stack.gateway_url})
        wait_http(f"{origin}/healthz", process=ui)
        result = subprocess.run(
            ["node", "--test", "e2e/ui.e2e.mjs"], cwd=FRONTEND, capture_output=True, text=True, timeout=180,
            env={**os.environ, "BASE_URL": origin, "SCREENSHOT": str(ROOT / "artifacts" / "ui-processes.png")},
        )
        assert result.returncode == 0, result.stdout + result.stderr + stack.logs()
