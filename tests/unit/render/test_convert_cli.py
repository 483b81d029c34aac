"""`kubemap convert` end to end, as a user runs it (a subprocess: real start-up, real exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

COMPOSE = """\
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    environment:
      MODE: prod
      API_TOKEN: abc
  worker:
    image: example/worker:1.0
    command: ["sh", "-c", "echo $$(date)"]
    ulimits:
      nofile: {soft: 1024, hard: 2048}
"""


def run(cwd: Path, *args: str, seed: str = "0") -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    env["PYTHONHASHSEED"] = seed
    return subprocess.run([sys.executable, "-m", "converter", "convert", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=120)


def project(tmp_path: Path, text: str = COMPOSE) -> Path:
    (tmp_path / "compose.yaml").write_text(text)
    return tmp_path


def test_writes_one_file_per_service_and_reports_findings_then_a_summary(tmp_path: Path) -> None:
    result = run(project(tmp_path))
    assert result.returncode == 0, result.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "k8s").iterdir()) == [
        "kind-config.yaml", "kustomization.yaml", "web.yaml", "worker.yaml",
    ]
    stderr = result.stderr.decode().splitlines()
    assert any(line.startswith("warning KM-W-SECRET-ENV services.web.environment.API_TOKEN: ") for line in stderr)
    assert any(" services.worker.ulimits" in line for line in stderr)
    assert stderr[-1].startswith("wrote 4 files to k8s, ") and " objects; " in stderr[-1]
    assert result.stdout == b""


def test_two_runs_in_fresh_processes_give_the_same_bytes(tmp_path: Path) -> None:
    project(tmp_path)
    assert run(tmp_path, "-o", "a", seed="1").returncode == 0
    assert run(tmp_path, "-o", "b", seed="2").returncode == 0
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert a == b
    assert run(tmp_path, "--stdout", seed="3").stdout == run(tmp_path, "--stdout", seed="4").stdout


def test_stdout_prints_every_object_and_writes_nothing(tmp_path: Path) -> None:
    result = run(project(tmp_path), "--stdout")
    assert result.returncode == 0, result.stderr.decode()
    kinds = sorted(d["kind"] for d in yaml.safe_load_all(result.stdout) if d)
    assert kinds.count("Deployment") == 2 and "Service" in kinds
    assert not (tmp_path / "k8s").exists()
    as_json = json.loads(run(tmp_path, "--stdout", "--format", "json").stdout)
    assert as_json["kind"] == "List" and len(as_json["items"]) == len(kinds)


def test_dollar_paren_is_escaped_for_kubernetes(tmp_path: Path) -> None:
    result = run(project(tmp_path), "--stdout")
    docs = [d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "Deployment"]
    worker = next(d for d in docs if d["metadata"]["name"] == "worker")
    assert worker["spec"]["template"]["spec"]["containers"][0]["args"] == ["sh", "-c", "echo $$(date)"]


def test_namespace_and_json_files(tmp_path: Path) -> None:
    result = run(project(tmp_path), "--namespace", "shop", "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    web = json.loads((tmp_path / "k8s" / "web.json").read_text())
    assert {i["metadata"]["namespace"] for i in web["items"]} == {"shop"}
    shared = json.loads((tmp_path / "k8s" / "_shared.json").read_text())
    assert [i["kind"] for i in shared["items"]] == ["Namespace"]


def test_strict_fails_on_unsupported_keys_and_writes_nothing(tmp_path: Path) -> None:
    result = run(project(tmp_path), "--strict")
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert "--strict" in stderr and "services.worker.ulimits" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "k8s").exists()


def test_bad_input_is_exit_2_with_file_line_and_no_traceback(tmp_path: Path) -> None:
    result = run(project(tmp_path, "services:\n  web:\n    image: nginx\n    ports: [\"http\"]\n"))
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert "error:" in stderr and "compose.yaml:4" in stderr and "services.web.ports[0]" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "k8s").exists()


def test_a_removed_service_disappears_from_the_output_dir_and_user_files_stay(tmp_path: Path) -> None:
    project(tmp_path)
    assert run(tmp_path).returncode == 0
    (tmp_path / "k8s" / "notes.md").write_text("mine\n")
    project(tmp_path, "services:\n  web:\n    image: nginx:1.27\n")
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "k8s").iterdir()) == [
        "kind-config.yaml", "kustomization.yaml", "notes.md", "web.yaml",
    ]
    assert "removed 1 stale" in result.stderr.decode()


def test_unsupported_kube_version_is_a_clear_error(tmp_path: Path) -> None:
    result = run(project(tmp_path), "--kube-version", "9.99")
    assert result.returncode == 2
    assert "not supported by the bundled schemas" in result.stderr.decode()
    assert not (tmp_path / "k8s").exists()



class _ClosedPipe:
    """stdout whose reader has gone away (`| head`): every write raises EPIPE."""

    def __init__(self, real_fd: int) -> None:
        self.buffer = self
        self._fd = real_fd

    def write(self, data: bytes) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self._fd


def test_a_reader_that_stops_early_ends_the_command_quietly_with_exit_1(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest
    import typer

    from converter.cli.convert_cmd import _write_stdout

    target = (tmp_path / "stdout").open("wb")
    monkeypatch.setattr(sys, "stdout", _ClosedPipe(target.fileno()))
    with pytest.raises(typer.Exit) as caught:
        _write_stdout(b"apiVersion: v1\n")
    assert caught.value.exit_code == 1
    target.close()
