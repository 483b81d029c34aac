"""A scheduled service on a real kind cluster, its image through a real registry: `kubemap up
--registry` of tests/up/cron (x-kubemap.schedule "* * * * *") builds the image, pushes it to the
test registry (Debian's docker-registry, scripts/test-servers.sh) and has the node pull it from
there instead of `kind load` → the CronJob controller starts a Job within its schedule → the
Job's pod runs the image to completion → `kubemap down`.

Runs in `make parity` on the cluster tests/up uses (KIND_CLUSTER_NAME, default kubemap), or
creates one through `kubemap up` (and `kubemap down` deletes it again). Needs Docker, the
base-image stand-ins (scripts/build-base-images.sh) and the test registry (scripts/test-servers.sh
up); fails, never skips, without them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "tests" / "up" / "cron" / "compose.yaml"
CLUSTER = os.environ.get("KIND_CLUSTER_NAME", "kubemap")
NAMESPACE = "crontest"
OFFSET = int(os.environ.get("KIND_HOST_PORT_OFFSET") or 0)
# A one-minute schedule starts its first Job at the next full minute: up to 60 s, plus the pod's
# start on a loaded 2-core node. Generous, and polled: the test ends as soon as the Job is done.
JOB_PATIENCE = 240.0
UP_PATIENCE = 3600.0  # creating a cluster (and kubemap's node image) when there is none


def kubemap(*args: str, timeout: float = UP_PATIENCE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def batch():
    from kubernetes import client, config

    return client.BatchV1Api(config.new_client_from_config(context=f"kind-{CLUSTER}"))


def completed_job(api) -> object | None:  # type: ignore[no-untyped-def]
    """A Job the CronJob tick started that has succeeded, else None."""
    for job in api.list_namespaced_job(NAMESPACE).items:
        owners = job.metadata.owner_references or []
        if any(o.kind == "CronJob" and o.name == "tick" for o in owners) and (job.status.succeeded or 0) >= 1:
            return job
    return None


def test_a_one_minute_schedule_runs_its_job_on_kind_from_the_registry(test_registry: str) -> None:
    assert shutil.which("docker"), "docker is needed for kubemap up (see README: make setup)"
    registry = test_registry
    image = f"{registry}/crontest-tick:latest"
    up = kubemap("up", "-f", str(PROJECT), "--timeout", "10m", "--host-port-offset", str(OFFSET),
                 "--registry", registry)
    assert up.returncode == 0, up.stdout + up.stderr
    assert f"pushing {image}" in up.stderr, up.stderr
    assert f"pulling {image}" in up.stderr, up.stderr  # by the node, from the registry
    assert not re.search(r"loading .*crontest-tick", up.stderr), up.stderr  # not through kind load
    with urllib.request.urlopen(f"http://{registry}/v2/crontest-tick/tags/list", timeout=10) as response:
        assert "latest" in response.read().decode()
    try:
        api = batch()
        cron = api.read_namespaced_cron_job("tick", NAMESPACE)
        assert cron.spec.schedule == "* * * * *" and cron.spec.concurrency_policy == "Forbid"
        container = cron.spec.job_template.spec.template.spec.containers[0]
        assert (container.image, container.image_pull_policy) == (image, "IfNotPresent")
        deadline = time.monotonic() + JOB_PATIENCE
        job = completed_job(api)
        while job is None:
            assert time.monotonic() < deadline, (
                f"no Job of CronJob tick succeeded within {JOB_PATIENCE:.0f}s; jobs: "
                + str([(j.metadata.name, j.status.succeeded, j.status.failed)
                       for j in api.list_namespaced_job(NAMESPACE).items]))
            time.sleep(2)
            job = completed_job(api)
        assert job.spec.backoff_limit == 0  # type: ignore[attr-defined]
        assert job.metadata.name.startswith("tick-")  # type: ignore[attr-defined]
    finally:
        down = kubemap("down", "-f", str(PROJECT), "--timeout", "10m")
    assert down.returncode == 0, down.stdout + down.stderr
    assert f"namespace {NAMESPACE} deleted" in down.stderr
