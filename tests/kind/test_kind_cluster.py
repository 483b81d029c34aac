"""What only the kind run can show: the Pods run exactly the manifests kubemap generated (init
containers, probes, Secrets, ConfigMaps, PVCs unedited), and the PostgreSQL data lives on a bound
PersistentVolumeClaim. Needs `make kind-up`; fails when the cluster is not there."""

from __future__ import annotations

import json
import subprocess

from tests.kind.backends import KindBackend
from tests.stack.processes import ROOT


def test_live_objects_equal_the_generated_manifests() -> None:
    backend = KindBackend()
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "kubemap"), "diff", "-k", str(ROOT / "k8s"), "--context", backend.context,
         "--namespace", backend.namespace],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"kubemap diff exited {result.returncode}:\n{result.stdout}{result.stderr}"


def test_postgres_data_is_on_a_bound_claim() -> None:
    backend = KindBackend()
    pod = backend.pods("postgres")[0]
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
    assert claims, f"postgres Pod has no PVC volume: {pod['spec']['volumes']}"
    for claim in claims:
        pvc = json.loads(backend.kubectl("get", "pvc", claim, "-o", "json"))
        assert pvc["status"]["phase"] == "Bound", pvc["status"]


def test_every_init_container_of_the_running_pods_succeeded() -> None:
    backend = KindBackend()
    pods = json.loads(backend.kubectl("get", "pods", "-o", "json"))["items"]
    waited = [p for p in pods if p["spec"].get("initContainers")]
    assert waited, "the generated manifests have init containers (depends_on); none are running"
    for pod in waited:
        if pod["status"].get("phase") != "Running":
            continue
        for status in pod["status"].get("initContainerStatuses", []):
            terminated = status["state"].get("terminated") or {}
            assert terminated.get("exitCode") == 0, (pod["metadata"]["name"], status)
