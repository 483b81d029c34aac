"""`kubemap config` and `kubemap validate`, run as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from .helpers import write

KUBEMAP = [sys.executable, "-m", "converter"]


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "COLUMNS": "200",
               **(env or {})}
    return subprocess.run([*KUBEMAP, *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=60, check=False)


PROJECT = {
    "compose.yaml": """
        services:
          web:
            image: nginx:${TAG:-1.27}
            ports: ["8080:80"]
          debug:
            image: busybox
            profiles: [debug]
    """,
    "compose.override.yaml": "services:\n  web:\n    environment: [MODE=dev]\n",
}


def test_config_prints_resolved_yaml(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    result = run(["config"], tmp_path)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout)
    assert data["name"] == tmp_path.name  # pytest's dir names are already valid project names
    web = data["services"]["web"]
    assert web["image"] == "nginx:1.27"
    assert web["environment"] == {"MODE": "dev"}
    assert web["ports"] == [{"mode": "ingress", "protocol": "tcp", "published": "8080",
                             "target": 80}]
    assert "debug" not in data["services"]


def test_config_is_deterministic_and_json_works(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    first = run(["config", "--format", "json", "--profile", "debug"], tmp_path)
    second = run(["config", "--format", "json", "--profile", "debug"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert set(json.loads(first.stdout)["services"]) == {"web", "debug"}


def test_config_flags(tmp_path: Path) -> None:
    write(tmp_path, {**PROJECT, "prod.env": "TAG=2.0\n", "extra.yaml":
                     "services:\n  web:\n    user: nobody\n"})
    result = run(["config", "-f", "compose.yaml", "-f", "extra.yaml", "--env-file", "prod.env",
                  "-p", "shop"], tmp_path)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout)
    assert data["name"] == "shop"
    assert data["services"]["web"]["image"] == "nginx:2.0"
    assert data["services"]["web"]["user"] == "nobody"
    assert "environment" not in data["services"]["web"]  # the override file is not auto-added


def test_shell_env_only_with_the_flag(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    without = yaml.safe_load(run(["config"], tmp_path, {"TAG": "shell"}).stdout)
    with_flag = yaml.safe_load(run(["config", "--use-shell-env"], tmp_path, {"TAG": "shell"}).stdout)
    assert without["services"]["web"]["image"] == "nginx:1.27"
    assert with_flag["services"]["web"]["image"] == "nginx:shell"


def test_validate_ok(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    result = run(["validate"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 1 services, 1 disabled by profiles")


def test_validate_problem_exit_2_no_traceback(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  api:\n    image: x\n    ports:\n"
                                     "      - 80\n      - abc\n"})
    result = run(["validate"], tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "compose.yaml:6: services.api.ports[1]" in result.stderr
    assert "'abc' is not a valid container port" in result.stderr
    assert result.stdout == ""


def test_config_problem_writes_nothing_to_stdout(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: ${X:?X is needed}\n"})
    result = run(["config"], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "X is needed" in result.stderr


def test_warnings_go_to_stderr(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "version: '3'\nservices:\n  web:\n    image: x${NOPE}\n"})
    result = run(["config"], tmp_path)
    assert result.returncode == 0
    assert "warning:" in result.stderr and "NOPE" in result.stderr
    assert "warning:" not in result.stdout


def test_help_teaches_with_an_example(tmp_path: Path) -> None:
    for command in ("config", "validate"):
        result = run([command, "--help"], tmp_path)
        assert result.returncode == 0
        assert "Example" in result.stdout
        for flag in ("--file", "--env-file", "--profile", "--project-name",
                     "--project-directory", "--use-shell-env"):
            assert flag in result.stdout, f"{command} --help lacks {flag}"


def test_validate_lists_every_schema_problem(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: [x]\n    portz: 1\n"
                                     "  db:\n    image: p\n    restart: 5\n"})
    result = run(["validate"], tmp_path)
    assert result.returncode == 2
    assert "did you mean 'ports'" in result.stderr
    assert "services.web.image" in result.stderr
    assert "services.db.restart" in result.stderr
    assert "3 problems" in result.stderr
