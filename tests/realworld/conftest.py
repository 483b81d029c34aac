"""The real-world suite uses the cluster tests' control plane: one real API server (etcd,
kube-apiserver, controller-manager, scheduler, kwok) for the whole session, into which every
setup is applied in its own namespace, one after another, none deleted."""

from __future__ import annotations

import pytest

from tests.cluster.conftest import control_plane  # noqa: F401 - the session fixture, reused as is


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/realworld" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.cluster)
