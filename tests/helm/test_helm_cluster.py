"""The stack's chart on the test control plane (real kube-apiserver, controller-manager, scheduler;
kwok runs the pods): `helm install`, `helm upgrade` with other replicas and image tag, `helm
uninstall`, each checked against what the cluster then holds. Live objects are read with the
kubectl built next to the API server, not through kubemap or Helm."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helm.compare import documents
from tests.helm.helm import Helm

REPO = Path(__file__).resolve().parents[2]
COMPOSE = ["-f", str(REPO / "compose" / "compose.yaml"), "--env-file", str(REPO / "compose" / ".env.example")]
SECRETS = {"secrets.dbPassword.data.db_password": REPO / "compose" / "secrets" / "db_password.txt",
           "secrets.llmApiKey.data.llm_api_key": REPO / "compose" / "secrets" / "llm_api_key.txt"}
KINDS = "deployments,statefulsets,jobs,services,configmaps,secrets,serviceaccounts,roles,rolebindings,persistentvolumeclaims"


def kubemap_convert(out: Path, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "converter", "convert", *args, "--format", "helm", "-o", str(out)],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr


def kubectl(control_plane, namespace: str, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = subprocess.run([str(control_plane.bin_dir / "kubectl"), "--kubeconfig", str(control_plane.kubeconfig),
                             "-n", namespace, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def live(control_plane, namespace: str) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Kind/name → object, of the objects a release or a controller put into the namespace."""
    items = json.loads(kubectl(control_plane, namespace, "get", KINDS, "-o", "json"))["items"]
    return {f"{i['kind']}/{i['metadata']['name']}": i for i in items
            if not i["metadata"]["name"].startswith("kube-root-ca") and i["metadata"]["name"] != "default"
            and not i["metadata"].get("ownerReferences") and i.get("type") != "helm.sh/release.v1"}


STATEFULSET_CLAIMS = {"PersistentVolumeClaim/pg-data-postgres-0", "PersistentVolumeClaim/redis-data-redis-0"}


def wait_for(what: str, check, timeout: float = 180) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last is True:
            return
        time.sleep(1)
    raise AssertionError(f"{what}: not true after {timeout}s (last: {last})")


def set_files() -> list[str]:
    return [arg for path, file in SECRETS.items() for arg in ("--set-file", f"{path}={file}")]


def release(helm: Helm, control_plane, namespace: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(helm.ok("status", "agents", "-n", namespace, "-o", "json", kubeconfig=control_plane.kubeconfig))


def test_install_upgrade_uninstall_of_the_stack(helm: Helm, control_plane, namespace: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chart = tmp_path / "agents"
    kubemap_convert(chart, *COMPOSE)
    expected = {f"{d['kind']}/{d['metadata']['name']}": d
                for d in documents(helm.ok("template", "agents", chart, "-n", namespace, *set_files()))}
    kube = {"kubeconfig": control_plane.kubeconfig}
    try:
        # install: every object, the secrets from the files, the migrate hook run to completion
        helm.ok("install", "agents", chart, "-n", namespace, *set_files(), "--timeout", "5m", **kube)
        status = release(helm, control_plane, namespace)
        assert (status["info"]["status"], status["version"]) == ("deployed", 1)
        objects = live(control_plane, namespace)
        # and the claims the StatefulSets' controller makes from their claim templates
        assert set(objects) == set(expected) | STATEFULSET_CLAIMS
        for ref, body in objects.items():
            if ref in STATEFULSET_CLAIMS:
                continue
            meta = body["metadata"]
            if ref != "Job/migrate":  # hooks are not release objects: Helm does not annotate them
                assert meta["annotations"]["meta.helm.sh/release-name"] == "agents", ref
            assert meta["labels"]["app.kubernetes.io/managed-by"] == "Helm", ref
            assert meta["labels"]["app.kubernetes.io/instance"] == "agents", ref
        assert objects["Job/migrate"]["status"].get("succeeded") == 1
        secret = json.loads(kubectl(control_plane, namespace, "get", "secret", "db-password", "-o", "json"))
        import base64
        assert base64.b64decode(secret["data"]["db_password"]) == SECRETS["secrets.dbPassword.data.db_password"].read_bytes()
        first_job = objects["Job/migrate"]["metadata"]["uid"]
        generations = {r: b["metadata"]["generation"] for r, b in objects.items() if "generation" in b["metadata"]}

        # upgrade: three workers of a new tag; the rest untouched; the one-shot service ran again
        helm.ok("upgrade", "agents", chart, "-n", namespace, *set_files(), "--set", "services.worker.replicas=3",
                "--set-string", "services.worker.image.tag=v2", "--timeout", "5m", **kube)
        status = release(helm, control_plane, namespace)
        assert (status["info"]["status"], status["version"]) == ("deployed", 2)
        objects = live(control_plane, namespace)
        worker = objects["Deployment/worker"]
        assert worker["spec"]["replicas"] == 3
        assert [c["image"] for c in worker["spec"]["template"]["spec"]["containers"]] == ["agents-worker:v2"]

        def worker_rolled_out() -> bool | str:
            current = json.loads(kubectl(control_plane, namespace, "get", "deployment", "worker", "-o", "json"))
            s = current["status"]
            done = (s.get("observedGeneration", 0) >= current["metadata"]["generation"]
                    and s.get("updatedReplicas") == 3 and s.get("readyReplicas") == 3 and s.get("replicas") == 3)
            return True if done else str(s)

        wait_for("worker rolled out to 3 pods of agents-worker:v2", worker_rolled_out)
        pods = json.loads(kubectl(control_plane, namespace, "get", "pods", "-l", "kubemap.io/service=worker", "-o", "json"))
        running = [p for p in pods["items"] if not p["metadata"].get("deletionTimestamp")]
        assert {p["spec"]["containers"][0]["image"] for p in running} == {"agents-worker:v2"}
        changed = {r for r, g in generations.items() if objects[r]["metadata"].get("generation") != g}
        assert changed == {"Deployment/worker"}
        assert objects["Job/migrate"]["metadata"]["uid"] != first_job
        assert objects["Job/migrate"]["status"].get("succeeded") == 1

        # uninstall: the release and its objects are gone; what Helm leaves on purpose stays
        helm.ok("uninstall", "agents", "-n", namespace, "--wait", "--timeout", "5m", **kube)
        assert helm.run("status", "agents", "-n", namespace, **kube).returncode != 0
        left = live(control_plane, namespace)
        # a hook (Helm never deletes hooks) and the StatefulSets' claims (Kubernetes keeps those)
        assert set(left) == {"Job/migrate"} | STATEFULSET_CLAIMS
    finally:
        helm.run("uninstall", "agents", "-n", namespace, **kube)
        # free the fixed NodePorts at once, whatever happened above
        subprocess.run([str(control_plane.bin_dir / "kubectl"), "--kubeconfig", str(control_plane.kubeconfig),
                        "delete", "services", "--all", "-n", namespace, "--wait"], capture_output=True)


SHARED_VOLUME = """\
name: shop
services:
  api:
    image: registry.local/api:1
    volumes: [data:/data]
    depends_on:
      seed: {condition: service_completed_successfully}
  report:
    image: registry.local/report:1
    volumes: [data:/data]
  migrate:
    image: registry.local/api:1
    command: migrate
    restart: "no"
  seed:
    image: registry.local/api:1
    command: seed
    restart: "no"
    depends_on:
      migrate: {condition: service_completed_successfully}
volumes:
  data: {}
"""


def test_claims_survive_uninstall_and_jobs_run_in_dependency_order(helm: Helm, control_plane, namespace: str,  # type: ignore[no-untyped-def]
                                                                   tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(SHARED_VOLUME)
    chart = tmp_path / "shop"
    kubemap_convert(chart, "-f", str(tmp_path / "compose.yaml"))
    rendered = {f"{d['kind']}/{d['metadata']['name']}": d for d in documents(helm.ok("template", "shop", chart))}
    weights = {r: int(rendered[r]["metadata"]["annotations"]["helm.sh/hook-weight"]) for r in ("Job/migrate", "Job/seed")}
    assert weights["Job/migrate"] < weights["Job/seed"]  # seed waits for migrate; Helm runs hooks in weight order
    kube = {"kubeconfig": control_plane.kubeconfig}
    try:
        helm.ok("install", "shop", chart, "-n", namespace, "--timeout", "5m", **kube)
        jobs = live(control_plane, namespace)
        assert jobs["Job/migrate"]["status"]["completionTime"] <= jobs["Job/seed"]["metadata"]["creationTimestamp"]
        helm.ok("uninstall", "shop", "-n", namespace, "--wait", "--timeout", "5m", **kube)
        left = live(control_plane, namespace)
        assert set(left) == {"PersistentVolumeClaim/data", "Job/migrate", "Job/seed"}
        assert left["PersistentVolumeClaim/data"]["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
        # installing again adopts the kept claim (same release name and namespace)
        helm.ok("install", "shop", chart, "-n", namespace, "--timeout", "5m", **kube)
        assert live(control_plane, namespace)["PersistentVolumeClaim/data"]["metadata"]["uid"] == \
            left["PersistentVolumeClaim/data"]["metadata"]["uid"]
    finally:
        helm.run("uninstall", "shop", "-n", namespace, **kube)


@pytest.fixture(autouse=True)
def _cluster_marker(request: pytest.FixtureRequest) -> None:
    request.node.add_marker(pytest.mark.cluster)
