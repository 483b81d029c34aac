"""What only the kind run can show: the Pods run exactly the manifests kubemap generated (init
containers, probes, Secrets, ConfigMaps, PVCs unedited), and the PostgreSQL data lives on a bound
PersistentVolumeClaim. Needs `make kind-up`; fails when the cluster is not there.
PARITY_INSTALLER=helm (the stack installed by `helm install`, scripts/kind/helm-install.sh): the
live objects are compared with what the Helm release holds instead of with k8s/; with
PARITY_REGISTRY (make parity REGISTRY=1, apply), with `kubemap convert --registry` of the stack."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.kind.backends import KindBackend, run
from tests.stack.processes import ROOT

INSTALLER = os.environ.get("PARITY_INSTALLER", "apply")
# make parity REGISTRY=1: the apply installer ran `kubemap up --registry` with this registry, so the
# live objects are `kubemap convert --registry` of the stack (its built images named there).
REGISTRY = os.environ.get("PARITY_REGISTRY", "")


def release_manifests(backend: KindBackend, folder: Path) -> Path:
    """The objects of the Helm release `agents` (its manifest and its hooks), as Helm recorded
    them, in a folder `kubemap diff -k` reads."""
    helm = run([str(ROOT / "scripts" / "build-helm.sh"), "--print-path"]).strip()
    scope = ["--kube-context", backend.context, "--namespace", backend.namespace]
    status = json.loads(run([helm, "status", "agents", *scope, "-o", "json"]))
    assert status["info"]["status"] == "deployed", status["info"]
    folder.mkdir()
    for what in ("manifest", "hooks"):
        (folder / f"{what}.yaml").write_text(run([helm, "get", what, "agents", *scope]))
    return folder


def test_live_objects_equal_the_generated_manifests(tmp_path: Path) -> None:
    backend = KindBackend()
    assert INSTALLER in ("apply", "helm"), f"PARITY_INSTALLER must be apply or helm, not {INSTALLER!r}"
    folder = release_manifests(backend, tmp_path / "release") if INSTALLER == "helm" else ROOT / "k8s"
    if INSTALLER == "apply" and REGISTRY:
        folder = tmp_path / "k8s"
        run([str(ROOT / ".venv" / "bin" / "kubemap"), "convert", "-f", str(ROOT / "compose" / "compose.yaml"),
             "--env-file", str(ROOT / "compose" / ".env.example"), "--registry", REGISTRY, "-o", str(folder)])
        images = {c["image"] for p in json.loads(backend.kubectl("get", "pods", "-o", "json"))["items"]
                  for c in p["spec"]["containers"]}
        assert any(image.startswith(REGISTRY + "/") for image in images), images  # pulled from the registry
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "kubemap"), "diff", "-k", str(folder), "--context", backend.context,
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


def test_the_stack_was_installed_by_the_installer_under_test() -> None:
    """PARITY_INSTALLER=helm must really test a Helm install (not a stack left by kubemap apply)."""
    backend = KindBackend()
    deployment = json.loads(backend.kubectl("get", "deployment", "worker", "-o", "json"))
    managed_by = deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"]
    assert managed_by == ("Helm" if INSTALLER == "helm" else "kubemap"), managed_by
