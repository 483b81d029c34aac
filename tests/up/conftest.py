"""The test registry (Debian's docker-registry, started by scripts/test-servers.sh up) for the
tests that push images and have a kind node pull them."""

from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def test_registry() -> str:
    """host:port of the test registry, which must answer (no skip: the test fails saying so)."""
    lines = subprocess.run([str(REPO / "scripts" / "test-servers.sh"), "env"], capture_output=True, text=True,
                           check=True).stdout.split()
    registry = dict(line.split("=", 1) for line in lines)["KUBEMAP_TEST_REGISTRY"]
    try:
        with urllib.request.urlopen(f"http://{registry}/v2/", timeout=10) as response:
            assert response.status == 200
    except OSError as error:
        pytest.fail(f"the test registry {registry} does not answer ({error}): run scripts/test-servers.sh up",
                    pytrace=False)
    return registry
