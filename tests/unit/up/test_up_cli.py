"""`kubemap up` / `down` / `status` from the command line, where no cluster is involved: wrong
input and missing tools are one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PROJECT = REPO / "tests" / "up" / "project" / "compose.yaml"


def kubemap(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *args], capture_output=True, text=True, timeout=120,
                          cwd=REPO, env={**os.environ, **(env or {})})


def test_without_docker_compose_up_says_what_to_install(tmp_path: Path) -> None:
    # An empty Docker config folder hides any `docker compose` plugin installed for this user.
    result = kubemap("up", "-f", str(PROJECT), "--context", "unused",
                     env={"DOCKER_CONFIG": str(tmp_path), "PATH": os.environ["PATH"]})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "kubemap up builds images with Docker Compose's own build, but `docker compose` (Compose v2 or " \
           "later) is not installed" in result.stderr
    assert "applying" not in result.stderr  # it stopped before touching any cluster


def test_an_unknown_context_is_one_line(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text('{"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": []}')
    for command in ("up", "status", "down"):
        args = [command, "-f", str(PROJECT), "--context", "nowhere", "--kubeconfig", str(kubeconfig)]
        result = kubemap(*args, *(["--no-build"] if command == "up" else []))
        assert result.returncode == 2, (command, result.stderr)
        assert "kubeconfig has no context named 'nowhere'" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_bad_timeout_is_refused_before_anything_happens() -> None:
    result = kubemap("up", "-f", str(PROJECT), "--timeout", "soon")
    assert result.returncode == 2
    assert "Invalid value for '--timeout': 'soon' is not a duration" in result.stderr
