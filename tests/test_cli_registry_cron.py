"""The CLI side of --registry, kubemap build and schedules: clear errors (exit 2, no traceback,
hints printed as written), and the manifests naming the registry's images."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def write(folder: Path, text: str) -> Path:
    (folder / "compose.yaml").write_text(text)
    return folder / "compose.yaml"


BUILT = """
name: shop
services:
  api:
    build: ./api
    ports: ["8080:80"]
  db:
    image: postgres:16
"""


def test_convert_registry_names_the_built_images_there(tmp_path: Path) -> None:
    write(tmp_path, BUILT)
    result = run("convert", "--registry", "127.0.0.1:5051", "--stdout", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    images = {c["image"]: c.get("imagePullPolicy") for d in yaml.safe_load_all(result.stdout)
              if d and d.get("kind") == "Deployment" for c in d["spec"]["template"]["spec"]["containers"]}
    assert images == {"127.0.0.1:5051/shop-api:latest": "IfNotPresent", "postgres:16": None}
    assert "kubemap build --push --registry 127.0.0.1:5051" in result.stderr


def test_a_bad_registry_is_one_clear_line_with_its_hint_as_written(tmp_path: Path) -> None:
    write(tmp_path, BUILT)
    result = run("convert", "--registry", "http://127.0.0.1:5051", "--stdout", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "must not have a scheme" in result.stderr
    assert "host[:port][/path]" in result.stderr  # not eaten as rich markup


def test_build_with_nothing_to_build_says_so(tmp_path: Path) -> None:
    write(tmp_path, "services:\n  db:\n    image: postgres:16\n")
    result = run("build", "--push", "--registry", "127.0.0.1:5051", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stderr and result.stdout == ""


def test_a_schedule_on_a_server_is_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path, "services:\n  web:\n    image: nginx\n    ports: ['80']\n"
                    "    labels:\n      kompose.cronjob.schedule: '*/5 * * * *'\n")
    result = run("convert", "--stdout", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "services.web.labels.kompose.cronjob.schedule" in result.stderr
    assert "keeps running: it has ports" in result.stderr
