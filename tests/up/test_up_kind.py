"""`kubemap up` → requests through the published port → `kubemap up` again → `kubemap down` →
nothing left, for a project written for this test (tests/up/project: a reverse proxy, an app and a
Redis database with a volume) on a real kind cluster.

It uses the kind cluster KIND_CLUSTER_NAME (default kubemap) when there is one — in `make parity`
the one the bundled stack ran on, after `kubemap down --keep-cluster` freed its port 8080 — and
otherwise lets `kubemap up` create it (and `kubemap down` delete it again). Needs Docker, Docker
Compose v2+ and the base-image stand-ins (scripts/build-base-images.sh); fails, never skips,
without them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "tests" / "up" / "project" / "compose.yaml"
CLUSTER = os.environ.get("KIND_CLUSTER_NAME", "kubemap")
NAMESPACE = "uptest"
# make parity KIND_HOST_PORT_OFFSET=N moves the published ports of a cluster it creates.
OFFSET = int(os.environ.get("KIND_HOST_PORT_OFFSET") or 0)
URL = f"http://localhost:{8080 + OFFSET}"
UP = ("up", "-f", str(PROJECT), "--timeout", "10m", "--host-port-offset", str(OFFSET))
# Generous: creating a cluster (and, the first time, kubemap's node image) on a loaded 2-core machine.
UP_PATIENCE = 3600.0
PATIENCE = 300.0


def kubemap(*args: str, timeout: float = UP_PATIENCE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def cluster_engine() -> str | None:
    """docker or podman, whichever runs the cluster's node containers; None without a cluster."""
    for engine in ("docker", "podman"):
        if shutil.which(engine) is None:
            continue
        listed = subprocess.run([engine, "ps", "-a", "-q", "--filter", f"label=io.x-k8s.kind.cluster={CLUSTER}"],
                                capture_output=True, text=True, timeout=120)
        if listed.returncode == 0 and listed.stdout.strip():
            return engine
    return None


def api():
    from kubernetes import client, config

    return client.CoreV1Api(config.new_client_from_config(context=f"kind-{CLUSTER}"))


def call(method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(URL + path, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def wait_until(what: str, condition, timeout: float = PATIENCE) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            if condition():
                return
        except (OSError, urllib.error.URLError) as error:
            last = error
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f}s waiting for {what} ({last})"
        time.sleep(1)


def refused() -> bool:
    try:
        call("GET", "/notes")
    except (urllib.error.URLError, ConnectionError, OSError):
        return True
    return False


@pytest.fixture(scope="module")
def cluster_before() -> bool:
    for tool in ("docker",):
        assert shutil.which(tool), f"{tool} is needed for kubemap up (see README: make setup)"
    return cluster_engine() is not None


def test_up_requests_up_again_down(cluster_before: bool) -> None:
    up = kubemap(*UP)
    assert up.returncode == 0, up.stdout + up.stderr
    # built with Docker Compose, under the names kubemap gave them (Compose's: <project>-<service>)
    assert "building 2 image(s) with docker compose build: app, proxy" in up.stderr
    for image in ("uptest-app:latest", "uptest-proxy:latest"):
        assert subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode == 0
    assert re.search(r"loading \d image\(s\) into the node: .*uptest-app:latest", up.stderr) or \
        "images: all" in up.stderr, up.stderr  # loaded, unless an earlier run left the same images there
    assert ("creating the kind cluster" in up.stderr) is not cluster_before
    for service, kind in (("proxy", "Deployment"), ("app", "Deployment"), ("db", "StatefulSet")):
        assert re.search(rf"^\s+{service}\s+{kind}/{service}\s+Running\s+1/1 ✓", up.stderr, re.M), up.stderr
    assert re.search(rf"^\s+proxy\s+{URL}$", up.stdout, re.M), up.stdout

    # Through the published port: proxy → app → Redis and back.
    note = f"note {uuid.uuid4().hex}"
    status, headers, body = call("POST", "/notes", note.encode())
    assert status == 201, body
    assert headers.get("X-Proxied-By") == "uptest-proxy"
    count = json.loads(body)["count"]
    status, _, body = call("GET", "/notes")
    assert status == 200 and json.loads(body)["notes"][-1] == note
    assert len(json.loads(body)["notes"]) == count

    # Running it again converges: nothing to build anew, nothing to load, everything applied.
    again = kubemap(*UP)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "images: all 3 already on the node" in again.stderr, again.stderr
    assert "creating the kind cluster" not in again.stderr
    assert "created" not in again.stderr.split("up: uptest", 1)[1].split("\n", 1)[0]  # only "applied"
    status, _, body = call("GET", "/notes")
    assert status == 200 and note in json.loads(body)["notes"]

    down = kubemap("down", "-f", str(PROJECT), "--timeout", "10m")
    assert down.returncode == 0, down.stdout + down.stderr
    assert f"namespace {NAMESPACE} deleted" in down.stderr

    # Nothing left: no namespace, no volume of its claim, nothing behind the port; the cluster
    # is gone only if kubemap up created it here.
    if cluster_before:
        assert cluster_engine() is not None, "down deleted a cluster that up did not create"
        assert f"kind cluster {CLUSTER} kept" in down.stderr
        core = api()
        assert NAMESPACE not in [n.metadata.name for n in core.list_namespace().items]
        left = [pv.metadata.name for pv in core.list_persistent_volume().items
                if pv.spec.claim_ref and pv.spec.claim_ref.namespace == NAMESPACE]
        assert left == [], f"volumes of {NAMESPACE}'s claims are still there: {left}"
        wait_until(f"{URL} to stop answering", refused)
    else:
        assert f"kind cluster {CLUSTER} deleted" in down.stderr
        assert cluster_engine() is None
        assert refused()
