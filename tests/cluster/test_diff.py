"""`kubemap diff`: generated vs live with kubectl's exit codes and masked Secret values, and
two folders against each other without a cluster."""

from __future__ import annotations

import json
from pathlib import Path

from kubernetes import client

from tests.cluster.objects import config_map, secret, web_service, write_kustomization


def test_diff_exit_codes_follow_kubectl(kubemap, namespace, tmp_path: Path) -> None:
    folder = tmp_path / "k8s"
    objects = web_service("shop", "api")
    write_kustomization(folder, objects)

    nothing_live = kubemap("diff", "-k", folder, "-n", namespace)
    assert nothing_live.returncode == 1, nothing_live.stderr
    assert "3 added" in nothing_live.stderr
    assert "+++ generated/Deployment/api" in nothing_live.stdout

    assert kubemap("apply", "-k", folder, "-n", namespace).returncode == 0
    same = kubemap("diff", "-k", folder, "-n", namespace)
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout == ""
    assert "0 added, 0 changed, 0 removed, 3 same" in same.stderr

    write_kustomization(folder, [config_map("shop", "api", {"MODE": "prod"}), *objects[1:]])
    changed = kubemap("diff", "-k", folder, "-n", namespace)
    assert changed.returncode == 1, changed.stderr
    assert "-  MODE: test" in changed.stdout and "+  MODE: prod" in changed.stdout
    assert "Deployment/api" not in changed.stdout  # only the ConfigMap differs


def test_diff_ignores_fields_the_server_defaults(kubemap, kube, namespace, tmp_path: Path) -> None:
    folder = write_kustomization(tmp_path / "k8s", web_service("shop", "api"))
    assert kubemap("apply", "-k", folder, "-n", namespace).returncode == 0
    live = client.AppsV1Api(kube).read_namespaced_deployment("api", namespace)
    assert live.spec.strategy.type == "RollingUpdate"  # defaulted by the server, not in our manifest
    result = kubemap("diff", "-k", folder, "-n", namespace)
    assert result.returncode == 0, result.stdout


def test_diff_masks_secret_values(kubemap, namespace, tmp_path: Path) -> None:
    folder = tmp_path / "k8s"
    write_kustomization(folder, [secret("shop", "api", {"PASSWORD": "old-password", "USER": "admin"})])
    assert kubemap("apply", "-k", folder, "-n", namespace).returncode == 0
    write_kustomization(folder, [secret("shop", "api", {"PASSWORD": "new-password", "USER": "admin"})])

    result = kubemap("diff", "-k", folder, "-n", namespace, "--output", "json")

    assert result.returncode == 1, result.stderr
    assert "password" not in result.stdout.replace("PASSWORD", "")  # neither value, nor base64 of it
    assert "b2xkLXBhc3N3b3Jk" not in result.stdout and "bmV3LXBhc3N3b3Jk" not in result.stdout
    (entry,) = json.loads(result.stdout)
    assert (entry["kind"], entry["name"], entry["change"]) == ("Secret", "api-secret", "changed")
    assert "+  PASSWORD: '***changed***'" in entry["diff"]
    assert "USER" not in [line[1:].split(":")[0].strip() for line in entry["diff"].splitlines()
                          if line.startswith(("+ ", "- "))]  # unchanged key is not a difference


def test_diff_lists_what_prune_would_delete(kubemap, namespace, tmp_path: Path) -> None:
    folder = tmp_path / "k8s"
    write_kustomization(folder, web_service("shop", "api") + web_service("shop", "worker"))
    assert kubemap("apply", "-k", folder, "-n", namespace).returncode == 0
    write_kustomization(folder, web_service("shop", "api"))
    result = kubemap("diff", "-k", folder, "-n", namespace, "--prune", "-o", "json")
    assert result.returncode == 1
    removed = {(d["kind"], d["name"]) for d in json.loads(result.stdout) if d["change"] == "removed"}
    assert removed == {("ConfigMap", "worker-env"), ("Service", "worker"), ("Deployment", "worker")}


def test_diff_of_two_folders_needs_no_cluster(kubemap, tmp_path: Path) -> None:
    old = write_kustomization(tmp_path / "old", web_service("shop", "api") + [secret("shop", "api", {"K": "a"})])
    new = write_kustomization(tmp_path / "new", web_service("shop", "api", replicas=3) + web_service("shop", "web")
                              + [secret("shop", "api", {"K": "b"})])
    result = kubemap("diff", old, new, "-o", "json", kubeconfig=False)
    assert result.returncode == 1, result.stderr
    changes = {(d["kind"], d["name"]): d["change"] for d in json.loads(result.stdout) if d["change"] != "same"}
    assert changes == {("Deployment", "api"): "changed", ("Secret", "api-secret"): "changed",
                       ("ConfigMap", "web-env"): "added", ("Service", "web"): "added",
                       ("Deployment", "web"): "added"}
    assert kubemap("diff", old, old, kubeconfig=False).returncode == 0


def test_diff_of_two_compose_projects_needs_no_cluster(kubemap, tmp_path: Path) -> None:
    for name, replicas, image in (("old", 1, "nginx:1.27"), ("new", 3, "nginx:1.27")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "compose.yaml").write_text(
            f"name: shop\nservices:\n  web:\n    image: {image}\n    deploy:\n      replicas: {replicas}\n"
            "    ports: ['8080:80']\n  cache:\n    image: redis:7\n")
    result = kubemap("diff", tmp_path / "old", tmp_path / "new", "-o", "json", kubeconfig=False)
    assert result.returncode == 1, result.stderr
    changed = [d for d in json.loads(result.stdout) if d["change"] != "same"]
    assert [(d["kind"], d["name"], d["change"]) for d in changed] == [("Deployment", "web", "changed")]
    assert "-  replicas: 1" in changed[0]["diff"] and "+  replicas: 3" in changed[0]["diff"]
    same = kubemap("diff", tmp_path / "old" / "compose.yaml", tmp_path / "old", kubeconfig=False)
    assert same.returncode == 0, same.stdout + same.stderr
