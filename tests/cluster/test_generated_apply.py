"""Apply what `kubemap convert` really generates: the stack in compose/, and a small project that
loses a service (prune). Live objects are listed with the kubectl built next to the API server,
so the check does not go through kubemap's own code."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from converter.cluster.resources import PRUNABLE_KINDS

REPO = Path(__file__).resolve().parents[2]
LISTED_KINDS = ",".join(sorted({k.lower() for k in PRUNABLE_KINDS}))


def convert(kubemap, compose_file: Path, out: Path) -> set[str]:
    """Run `kubemap convert -o out`; the Kind/name set it wrote."""
    result = kubemap("convert", "-f", compose_file, "-o", out, kubeconfig=False)
    assert result.returncode == 0, result.stderr
    written = set()
    for file in out.glob("*.yaml"):
        for doc in yaml.safe_load_all(file.read_text()):
            if doc and doc.get("kind") not in ("Kustomization", "Cluster"):
                written.add(f"{doc['kind']}/{doc['metadata']['name']}")
    return written


def generated_project(out: Path) -> str:
    """The project label `kubemap convert` put on the objects (one value for all)."""
    labels = {((doc.get("metadata") or {}).get("labels") or {}).get("kubemap.io/project")
              for file in out.glob("*.yaml") for doc in yaml.safe_load_all(file.read_text())
              if doc and doc.get("kind") not in ("Kustomization", "Cluster")}
    assert len(labels) == 1 and None not in labels, labels
    return labels.pop()


def live(control_plane, namespace: str, project: str) -> dict[str, str]:
    """{Kind/name: resourceVersion} of the project's objects, as kubectl lists them."""
    result = subprocess.run(
        [str(control_plane.bin_dir / "kubectl"), "--kubeconfig", str(control_plane.kubeconfig), "get",
         LISTED_KINDS, "-n", namespace, "-l", f"kubemap.io/project={project}", "-o", "json"],
        capture_output=True, text=True, check=True)
    items = json.loads(result.stdout)["items"]
    return {f"{i['kind']}/{i['metadata']['name']}": i["metadata"]["resourceVersion"] for i in items
            if not i["metadata"].get("ownerReferences")}  # ReplicaSets, Pods: made by controllers


def test_the_generated_stack_applies_exactly_and_then_diffs_clean(kubemap, control_plane, namespace, tmp_path: Path) -> None:
    generated = convert(kubemap, REPO / "compose" / "compose.yaml", tmp_path / "k8s")
    project = generated_project(tmp_path / "k8s")

    try:
        result = kubemap("apply", "-k", tmp_path / "k8s", "-n", namespace)

        assert result.returncode == 0, result.stderr
        assert set(live(control_plane, namespace, project)) == generated
        diff = kubemap("diff", "-k", tmp_path / "k8s", "-n", namespace)
        assert diff.returncode == 0, diff.stdout + diff.stderr
    finally:
        # The stack publishes fixed NodePorts: free them now, not when the namespace is gone,
        # so the server dry runs of the same stack in later tests do not collide with them.
        subprocess.run([str(control_plane.bin_dir / "kubectl"), "--kubeconfig", str(control_plane.kubeconfig),
                        "delete", "services", "--all", "-n", namespace, "--wait"], capture_output=True, check=True)


def test_removing_a_service_then_prune_deletes_exactly_its_objects(kubemap, control_plane, namespace, tmp_path: Path) -> None:
    def project(with_worker: bool) -> Path:
        folder = tmp_path / ("with" if with_worker else "without")
        folder.mkdir()
        text = ("name: shop\nservices:\n"
                "  api:\n    image: registry.local/api:1\n    ports: ['8080']\n"
                "    environment: {MODE: prod, API_TOKEN: t0ken}\n"
                "  db:\n    image: postgres:16\n    volumes: [data:/var/lib/postgresql/data]\n")
        if with_worker:
            text += "  worker:\n    image: registry.local/worker:1\n    environment: {QUEUE: jobs}\n    command: run\n"
        (folder / "compose.yaml").write_text(text + "volumes:\n  data: {}\n")
        return folder / "compose.yaml"

    everything = convert(kubemap, project(True), tmp_path / "k8s-1")
    remaining = convert(kubemap, project(False), tmp_path / "k8s-2")
    worker_objects = everything - remaining
    assert worker_objects and all("worker" in name for name in worker_objects)
    assert kubemap("apply", "-k", tmp_path / "k8s-1", "-n", namespace).returncode == 0
    before = live(control_plane, namespace, "shop")
    assert set(before) == everything

    result = kubemap("apply", "-k", tmp_path / "k8s-2", "-n", namespace, "--prune")

    assert result.returncode == 0, result.stderr
    after = live(control_plane, namespace, "shop")
    assert set(after) == remaining
    assert sorted(line.split()[0] for line in result.stdout.splitlines() if line.endswith(" pruned")) == sorted(worker_objects)
