"""Unset variables: the loader records every place one became "" (file, line, key path);
convert and report print each one, `convert --strict` refuses (R-VAR-01)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import load, write

COMPOSE = """
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: ${DB_PASSWORD}
          POSTGRES_USER: ${DB_USER:-app}
      web:
        image: nginx
        volumes:
          - ${CONFIG}/web:/etc/nginx/conf.d:ro
"""


def test_the_loader_records_where_each_unset_variable_was_used(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": COMPOSE})
    uses = [(u.name, u.file, u.line, u.key_path) for u in load(tmp_path).unset_variables]
    assert uses == [("DB_PASSWORD", "compose.yaml", 5, "services.db.environment.POSTGRES_PASSWORD"),
                    ("CONFIG", "compose.yaml", 10, "services.web.volumes[0]")]


def _kubemap(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin"})


def test_convert_and_report_name_each_use_and_strict_refuses(tmp_path: Path) -> None:
    """Old behaviour: convert and report said nothing about an empty password or `/web`."""
    write(tmp_path, {"compose.yaml": COMPOSE})
    expected = ["warning KM-W-VAR-UNSET services.db.environment.POSTGRES_PASSWORD: variable DB_PASSWORD is not set: "
                "an empty string was used (compose.yaml:5)",
                "warning KM-W-VAR-UNSET services.web.volumes[0]: variable CONFIG is not set: an empty string was "
                "used (compose.yaml:10)"]
    converted = _kubemap(tmp_path, "convert", "-o", "out")
    assert converted.returncode == 0, converted.stderr
    assert [line.split(" (set ")[0] for line in converted.stderr.splitlines() if "KM-W-VAR-UNSET" in line] == expected
    reported = _kubemap(tmp_path, "report", "--format", "markdown")
    assert reported.returncode == 0, reported.stderr
    assert [line.split(" (set ")[0] for line in reported.stderr.splitlines() if "KM-W-VAR-UNSET" in line] == expected
    strict = _kubemap(tmp_path, "convert", "--strict", "-o", "strict-out")
    assert strict.returncode == 2 and "DB_PASSWORD" in strict.stderr and "Traceback" not in strict.stderr
    assert not (tmp_path / "strict-out").exists()
