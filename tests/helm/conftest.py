"""Fixtures for the chart tests: real Helm (built by scripts/build-helm.sh when not cached; a
build that fails fails every test here, none is skipped) and, for the install tests, the test
control plane of tests/cluster."""

from __future__ import annotations

import pytest

from tests.cluster.conftest import control_plane, kube, namespace  # noqa: F401 - fixtures
from tests.helm.helm import Helm, HelmMissing, build_helm


@pytest.fixture(scope="session")
def helm(tmp_path_factory: pytest.TempPathFactory) -> Helm:
    try:
        binary = build_helm()
    except (HelmMissing, OSError) as error:
        pytest.fail(f"cannot build Helm: {error}", pytrace=False)
    return Helm(binary=binary, home=tmp_path_factory.mktemp("helm-home"))
