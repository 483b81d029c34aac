"""Finding the local tools: kind, Docker, Docker Compose, and the kubemap checkout's own build
scripts.

In a kubemap checkout (an editable install: `scripts/` next to the `converter` package), what is
missing is built the way the repo builds it (kind from the Go module proxy, podman set up, the
node image built without a registry). Installed from a wheel, kubemap only finds tools and says
how to install what is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from converter.up.process import ToolError, capture, run
from converter.up.progress import Reporter

CHECKOUT = Path(__file__).resolve().parents[2]
KIND_INSTALL = "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
COMPOSE_INSTALL = "https://docs.docker.com/compose/install/"


def repo_script(relative: str) -> Path | None:
    """scripts/<relative> of the kubemap checkout this package runs from, if there is one."""
    path = CHECKOUT / "scripts" / relative
    return path if path.is_file() and os.access(path, os.X_OK) else None


def cache_dir() -> Path:
    return Path(os.environ.get("KUBEMAP_CACHE") or Path.home() / ".cache" / "kubemap")


def find_kind(reporter: Reporter) -> str:
    """kind on PATH, else the repo's cached build, else built by scripts/kind/build-kind.sh."""
    on_path = shutil.which("kind")
    if on_path:
        return on_path
    script = repo_script("kind/build-kind.sh")
    if script is not None:
        code, out = capture([str(script), "--print-path"])
        cached = Path(out.strip()) if code == 0 else None
        if cached is None or not os.access(cached, os.X_OK):
            with reporter.step("building kind from the Go module proxy (scripts/kind/build-kind.sh)"):
                run([str(script)], what="building kind", on_line=reporter.output,
                    hint=f"install kind yourself: {KIND_INSTALL}")
        if cached is not None and os.access(cached, os.X_OK):
            return str(cached)
    builds = sorted(cache_dir().glob("kind-*/kind"))
    if builds:
        return str(builds[-1])
    raise ToolError("kind is not installed (kubemap up creates a local cluster with it)",
                    hint=f"install it ({KIND_INSTALL}) or pass --context to use an existing cluster")


def require_docker() -> None:
    code, out = capture(["docker", "info", "--format", "{{.ServerVersion}}"], timeout=30)
    if code == 127:
        raise ToolError("docker is not installed (kubemap up builds and loads images with it)",
                        hint="install Docker: https://docs.docker.com/engine/install/")
    if code != 0:
        raise ToolError(f"the Docker engine does not answer: {out.strip().splitlines()[-1] if out.strip() else ''}",
                        hint="start it (systemctl start docker, or scripts/ensure-docker.sh in a kubemap checkout)")


def compose_command() -> list[str]:
    """`docker compose` (Compose v2 or later, the CLI plugin), which names built images
    `<project>-<service>` as kubemap does. The old `docker-compose` v1 names them otherwise."""
    code, out = capture(["docker", "compose", "version", "--short"], timeout=30)
    if code == 0 and out.strip():
        return ["docker", "compose"]
    builder = repo_script("build-compose.sh")
    how = (f"run {builder.relative_to(CHECKOUT)} (builds Compose v5 from the Go module proxy and installs it "
           "as the plugin)" if builder else f"install the Docker Compose plugin: {COMPOSE_INSTALL}")
    legacy = " (only the old docker-compose v1 is there, which names images differently)" \
        if shutil.which("docker-compose") else ""
    raise ToolError("kubemap up builds images with Docker Compose's own build, but `docker compose` "
                    f"(Compose v2 or later) is not installed{legacy}", hint=how)
