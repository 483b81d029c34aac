"""The loader never opens, reads, lists or stats a path outside the project (host_paths.py):
absolute paths and symlinks that leave the project become kind "outside" untouched, `~` paths
kind "home"; relative paths that climb out of the project directory (`../common/x`) are project
files.
Every filesystem call the loader makes is recorded by wrapping the real os functions."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import load, write

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def touched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path given to open/stat/lstat/readlink/listdir/scandir while the test runs."""
    seen: list[str] = []

    def spy(real):  # type: ignore[no-untyped-def]
        def wrapper(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if isinstance(path, (str, bytes, os.PathLike)):
                seen.append(os.path.abspath(os.fsdecode(path)))
            return real(path, *args, **kwargs)
        return wrapper

    for name in ("stat", "lstat", "readlink", "listdir", "scandir", "open"):
        monkeypatch.setattr(os, name, spy(getattr(os, name)))
    monkeypatch.setattr(builtins, "open", spy(builtins.open))
    return seen


def _project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    write(tmp_path, {
        "proj/compose.yaml": """
            services:
              agent:
                image: prom/node-exporter
                volumes:
                  - /proc:/host/proc:ro
                  - /var/log:/host/var/log:ro
                  - /etc/hostname:/etc/nodename
                  - ~/secrets:/secrets:ro
                  - ./etc-link:/host/etc:ro
                  - ./conf:/etc/agent:ro
                  - ../shared/common.yml:/etc/common.yml:ro
                  - ../../../../../../../../../../etc/passwd:/etc/passwd-copy:ro
        """,
        "proj/conf/agent.yml": "scrape: true\n",
        "shared/common.yml": "common: 1\n",
    })
    (proj / "etc-link").symlink_to("/etc")
    return proj


def test_host_paths_outside_the_project_are_never_touched(tmp_path: Path, touched: list[str]) -> None:
    """Old behaviour: /var/log became a ConfigMap of this machine's login records, and /proc
    made the loader read /proc/kmsg for ever."""
    proj = _project(tmp_path)
    home = tmp_path / "home"
    paths = load(proj, environ={"HOME": str(home)}).host_paths
    forbidden = ("/proc", "/var/log", "/etc", str(home))
    assert not [p for p in touched if p.startswith(forbidden)], sorted({p for p in touched if p.startswith(forbidden)})
    for path, kind, host_path in (("/proc", "outside", "/proc"), ("/var/log", "outside", "/var/log"),
                                  ("/etc/hostname", "outside", "/etc/hostname"),
                                  (str(home / "secrets"), "home", "~/secrets"),
                                  (str(proj / "etc-link"), "outside", "/etc")):
        assert (paths[path].kind, paths[path].host_path) == (kind, host_path), path
        assert paths[path].content is None and paths[path].entries is None
    climbing = os.path.normpath(str(proj) + "/../../../../../../../../../../etc/passwd")
    assert paths[climbing].kind == "outside"


def test_project_files_are_read_including_relative_paths_that_climb_out(tmp_path: Path) -> None:
    proj = _project(tmp_path)
    paths = load(proj, environ={"HOME": str(tmp_path / "home")}).host_paths
    assert paths[str(proj / "conf")].entries == {"agent.yml": b"scrape: true\n"}
    assert paths[str(tmp_path / "shared" / "common.yml")].content == b"common: 1\n"


def test_a_symlink_inside_a_directory_that_leaves_the_project_is_not_followed(tmp_path: Path, touched: list[str]) -> None:
    proj = tmp_path / "proj"
    write(tmp_path, {"proj/compose.yaml": "services:\n  web:\n    image: nginx\n    volumes: ['./site:/usr/share/nginx/html:ro']\n",
                     "proj/site/index.html": "<h1>hi</h1>\n"})
    (proj / "site" / "passwd").symlink_to("/etc/passwd")
    (proj / "site" / "local.html").symlink_to("index.html")
    site = load(proj).host_paths[str(proj / "site")]
    assert site.kind == "dir" and site.entries is None and "leaves the project" in (site.note or "")
    assert not [p for p in touched if p.startswith("/etc")]


def test_a_symlink_that_stays_in_the_project_is_followed(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    write(tmp_path, {"proj/compose.yaml": "services:\n  web:\n    image: nginx\n    volumes: ['./current:/conf:ro']\n",
                     "proj/releases/v2/app.conf": "v: 2\n"})
    (proj / "current").symlink_to("releases/v2")
    assert load(proj).host_paths[str(proj / "current")].entries == {"app.conf": b"v: 2\n"}


def test_converting_a_proc_bind_finishes_and_gives_a_host_path(tmp_path: Path) -> None:
    """Old behaviour: `kubemap convert` hung for ever reading /proc/kmsg."""
    write(tmp_path, {"compose.yaml": "services:\n  agent:\n    image: prom/node-exporter\n"
                                     "    volumes: ['/proc:/host/proc:ro', '/:/rootfs:ro']\n"})
    result = subprocess.run([sys.executable, "-m", "converter", "convert", "-o", str(tmp_path / "out")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60, env={"PATH": os.defpath})
    assert result.returncode == 0, result.stderr
    docs = list(yaml.safe_load_all((tmp_path / "out" / "agent.yaml").read_text()))
    [deployment] = [d for d in docs if d["kind"] == "Deployment"]
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    assert {v["hostPath"]["path"] for v in volumes} == {"/proc", "/"}
    assert not [d for d in docs if d["kind"] == "ConfigMap"]
    assert "KM-W-HOSTPATH" in result.stderr


def test_a_home_path_is_never_read_even_when_the_project_is_in_home(tmp_path: Path, touched: list[str]) -> None:
    """`~/proj/conf` is the project's own folder on this machine only: on another machine (or
    another HOME) it names something else, so it is never read."""
    home = tmp_path / "home"
    proj = home / "proj"
    write(proj, {"compose.yaml": "services:\n  web:\n    image: nginx\n    volumes: ['~/proj/conf:/conf:ro']\n",
                 "conf/app.conf": "secret: 1\n"})
    project = load(proj, environ={"HOME": str(home)})
    assert project.host_paths[str(proj / "conf")].kind == "home"
    assert project.home_paths == {str(proj / "conf"): "~/proj/conf"}
    assert not [p for p in touched if p.startswith(str(proj / "conf"))]


def _convert_with_home(proj: Path, home: Path, out: Path) -> dict[str, bytes]:
    """`kubemap convert` (manifests and report) with HOME set to `home`: every output file's bytes."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.defpath, "HOME": str(home)}
    for args in (["convert", "-o", str(out / "k8s")], ["report", "-o", str(out / "report.md")]):
        result = subprocess.run([sys.executable, "-m", "converter", *args], cwd=proj, capture_output=True,
                                text=True, timeout=120, env=env)
        assert result.returncode == 0, result.stderr
        assert args[0] != "convert" or "KM-W-HOME-PATH" in result.stderr, result.stderr
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_the_output_does_not_depend_on_home(tmp_path: Path) -> None:
    """Old behaviour (issue #12): `~/.aws:/root/.aws` became a hostPath with the converting user's
    HOME expanded, so two users got different manifests. Same input, same bytes, whatever HOME."""
    proj = tmp_path / "proj"
    write(tmp_path, {
        "proj/compose.yaml": """
            services:
              web:
                image: nginx
                volumes:
                  - ~/.aws:/root/.aws:ro
                  - type: bind
                    source: ~/data
                    target: /data
                secrets: [token]
            secrets:
              token:
                file: ~/token.txt
        """,
    })
    first = _convert_with_home(proj, tmp_path / "alice", tmp_path / "out-alice")
    second = _convert_with_home(proj, tmp_path / "home" / "bob", tmp_path / "out-bob")
    assert sorted(first) == sorted(second) and first, (sorted(first), sorted(second))
    for name in first:
        assert first[name] == second[name], name
        assert b"alice" not in first[name] and b"bob" not in second[name], name
    manifests = b"".join(v for k, v in first.items() if k.startswith("k8s/"))
    assert b"hostPath" not in manifests


def _value_files_project(tmp_path: Path, env_file: str, *, label_file: str | None = None) -> Path:
    """A project whose one service reads `env_file` (and `label_file`); ../shared.env climbs out
    of the project folder, /etc/os-release and ~/app.env do not belong to it."""
    proj = tmp_path / "proj"
    labels = f"\n    label_file: {label_file}" if label_file else ""
    write(tmp_path, {"proj/compose.yaml": f"services:\n  app:\n    image: busybox\n    env_file: {env_file}{labels}\n",
                     "proj/app.env": "MODE=project\n",
                     "shared.env": "MODE=shared\n",
                     "home/app.env": "MODE=home\n"})
    (proj / "leaving.env").symlink_to("/etc/os-release")
    return proj


@pytest.mark.parametrize(("env_file", "why"), [
    ("/etc/os-release", "is outside the project directory"),
    ("~/app.env", "~/app.env names the home directory of whoever converts"),
    ("./leaving.env", "is a symlink that leaves the project"),
])
def test_an_env_file_outside_the_project_is_refused_unread(tmp_path: Path, touched: list[str], env_file: str,
                                                           why: str) -> None:
    """Old behaviour: its variables went into the Secret/ConfigMap, so the output depended on the
    machine (and on HOME) that converted."""
    from converter.errors import LoadError

    proj = _value_files_project(tmp_path, env_file)
    home = tmp_path / "home"
    with pytest.raises(LoadError) as caught:
        load(proj, environ={"HOME": str(home)})
    assert why in caught.value.message and "kubemap reads no file outside the project" in str(caught.value)
    assert caught.value.key_path == "services.app.env_file"
    assert not [p for p in touched if p.startswith(("/etc", str(home)))]


def test_an_optional_env_file_outside_the_project_is_skipped_with_a_warning(tmp_path: Path, touched: list[str]) -> None:
    proj = _value_files_project(tmp_path, "[{path: /etc/os-release, required: false}, ./app.env]")
    project = load(proj)
    assert project.services["app"].env_file_values["MODE"] == "project"
    assert any("/etc/os-release (required: false) is not read" in w for w in project.warnings)
    assert not [p for p in touched if p.startswith("/etc")]


def test_env_and_label_files_of_the_project_are_read_including_relative_paths_that_climb_out(tmp_path: Path) -> None:
    proj = _value_files_project(tmp_path, "../shared.env", label_file="./app.env")
    service = load(proj).services["app"]
    assert service.env_file_values["MODE"] == "shared"
    assert service.labels["MODE"] == "project"


def test_a_label_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    from converter.errors import LoadError

    proj = _value_files_project(tmp_path, "./app.env", label_file="/etc/os-release")
    with pytest.raises(LoadError, match="label file not read: /etc/os-release is outside the project"):
        load(proj)
