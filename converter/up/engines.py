"""The container engine that runs kind's nodes ("provider"): Docker where it can run privileged
containers, else Podman. An existing cluster is wherever its node containers are.

The choice is made by trying what kind's docker provider needs, a privileged container, with an
image kubemap makes itself (/bin/true and its libraries, imported into Docker), so it never
depends on which images a machine happens to have.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from converter.up.process import ToolError, capture, run
from converter.up.progress import Reporter
from converter.up.tools import repo_script

PROVIDERS = ("docker", "podman")
CLUSTER_LABEL = "io.x-k8s.kind.cluster"
PROBE_IMAGE = "kubemap/privileged-probe:1"


@dataclass(frozen=True)
class Choice:
    provider: str
    reason: str


def find_cluster(name: str) -> str | None:
    """The provider whose engine holds node containers of kind cluster `name`, if any."""
    for provider in PROVIDERS:
        if node_containers(provider, name):
            return provider
    return None


def node_containers(provider: str, cluster: str) -> dict[str, str]:
    """Node container name -> state: Docker says `running`, `exited`, ...; Podman 4 says
    `Up 5 minutes ago`, `Exited (0) ...` (see is_running)."""
    if shutil.which(provider) is None:
        return {}
    code, out = capture([provider, "ps", "-a", "--filter", f"label={CLUSTER_LABEL}={cluster}",
                         "--format", "{{.Names}}\t{{.State}}"], timeout=60)
    if code != 0:
        return {}
    found = {}
    for line in out.splitlines():
        name, _, state = line.partition("\t")
        if name.strip():
            found[name.strip()] = state.strip().lower()
    return found


def is_running(state: str) -> bool:
    return state == "running" or state.startswith("up ")


def port_bindings(provider: str, container: str) -> dict[tuple[int, str], tuple[str, int]]:
    """(container port, protocol) -> (host address, host port) the node publishes."""
    code, out = capture([provider, "inspect", "--format", "{{json .NetworkSettings.Ports}}", container])
    if code != 0 or not out.strip():
        return {}
    bindings: dict[tuple[int, str], tuple[str, int]] = {}
    for key, hosts in (json.loads(out) or {}).items():
        port, _, protocol = key.partition("/")
        for host in hosts or []:
            if host.get("HostPort"):
                bindings[(int(port), (protocol or "tcp").upper())] = (host.get("HostIp") or "0.0.0.0",
                                                                      int(host["HostPort"]))
    return bindings


def choose_provider(reporter: Reporter) -> Choice:
    """KIND_EXPERIMENTAL_PROVIDER when set; Docker when it runs a privileged container; else
    Podman (set up by the checkout's scripts/kind/ensure-podman.sh when there is one)."""
    forced = os.environ.get("KIND_EXPERIMENTAL_PROVIDER")
    if forced:
        choice = Choice(forced, "KIND_EXPERIMENTAL_PROVIDER is set")
    else:
        why = _docker_refuses_privileged()
        choice = Choice("docker", "it runs privileged containers") if why is None else Choice("podman", why)
    if choice.provider == "podman":
        ensure_podman(reporter)
    return choice


def _docker_refuses_privileged() -> str | None:
    """None when Docker can run a privileged container; else why not."""
    if shutil.which("docker") is None:
        return "docker is not installed"
    if capture(["docker", "info", "--format", "{{.ServerVersion}}"], timeout=30)[0] != 0:
        return "the Docker engine does not answer"
    if not _ensure_probe_image():
        return f"cannot import the probe image {PROBE_IMAGE} into Docker"
    code, out = capture(["docker", "run", "--rm", "--privileged", "--network", "none", "--entrypoint", "/bin/true",
                         PROBE_IMAGE], timeout=120)
    if code == 0:
        return None
    first = out.strip().splitlines()[0] if out.strip() else f"exit {code}"
    return f"docker cannot run privileged containers here: {first}"


def _ensure_probe_image() -> bool:
    if capture(["docker", "image", "inspect", PROBE_IMAGE])[0] == 0:
        return True
    code, out = capture(["ldd", "/bin/true"])
    libraries = sorted({word for word in out.split() if word.startswith("/")}) if code == 0 else []
    with tempfile.TemporaryDirectory(prefix="kubemap-probe-") as folder:
        archive = os.path.join(folder, "probe.tar")
        packed = subprocess.run(["tar", "-c", "--dereference", "-f", archive, "/bin/true", *libraries],
                                capture_output=True)
        if packed.returncode != 0:
            return False
        return capture(["docker", "import", archive, PROBE_IMAGE], timeout=120)[0] == 0


def ensure_podman(reporter: Reporter) -> None:
    script = repo_script("kind/ensure-podman.sh")
    if script is not None:
        with reporter.step("setting up podman for kind (scripts/kind/ensure-podman.sh)"):
            run([str(script)], what="setting up podman", on_line=reporter.output)
        return
    if shutil.which("podman") is None:
        raise ToolError("kind needs Docker able to run --privileged containers, or Podman; neither is usable here",
                        hint="install podman (e.g. apt-get install podman), or pass --context to use an existing cluster")
