"""Fixtures for the cluster tests: one real control plane per session (built from source by
scripts/build-control-plane.sh when not cached), one namespace per test, and a runner for the
`kubemap` CLI pointed at it. If the control plane cannot be built or started, every test here
fails with the reason; none is skipped."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cluster.controlplane import ControlPlane, ControlPlaneError, build_binaries


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/cluster" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    try:
        bin_dir = build_binaries()
    except (ControlPlaneError, OSError) as error:
        pytest.fail(f"cannot build the test control plane: {error}", pytrace=False)
    plane = ControlPlane(bin_dir=bin_dir, workdir=tmp_path_factory.mktemp("control-plane"),
                         with_kwok=(bin_dir / "kwok").is_file())
    try:
        plane.start()
    except (ControlPlaneError, OSError) as error:
        plane.stop()
        pytest.fail(f"cannot start the test control plane: {error}", pytrace=False)
    yield plane
    plane.stop()


@pytest.fixture(scope="session")
def kube(control_plane: ControlPlane):
    """The official client, configured independently of kubemap, to check what really happened."""
    from kubernetes import client, config

    configuration = client.Configuration()
    config.load_kube_config(config_file=str(control_plane.kubeconfig), client_configuration=configuration)
    with client.ApiClient(configuration) as api:
        yield api


@pytest.fixture
def namespace(request: pytest.FixtureRequest, control_plane: ControlPlane) -> Iterator[str]:
    """A fresh namespace per test (deleted afterwards, without waiting)."""
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    name = f"{base}-{uuid.uuid4().hex[:6]}"
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    with control_plane.urlopen(f"{control_plane.server}/api/v1/namespaces", method="POST", body=body):
        pass
    yield name
    try:
        with control_plane.urlopen(f"{control_plane.server}/api/v1/namespaces/{name}", method="DELETE"):
            pass
    except OSError:
        pass  # a test that restarted the API server may leave it briefly unreachable


RunKubemap = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kubemap(control_plane: ControlPlane) -> RunKubemap:
    """Run the real CLI (`python -m converter ...`) against the test cluster."""

    def run(*args: str | Path, timeout: float = 300, kubeconfig: bool = True) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "converter", *map(str, args)]
        if kubeconfig:
            command += ["--kubeconfig", str(control_plane.kubeconfig)]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              cwd=Path(__file__).resolve().parents[2])

    return run
