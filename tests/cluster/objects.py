"""Hand-written manifests for the cluster tests, shaped like kubemap's output (project label on
every object), and a writer for a kustomization folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PROJECT_LABEL = "kubemap.io/project"


def labels(project: str, service: str) -> dict[str, str]:
    return {PROJECT_LABEL: project, "kubemap.io/service": service, "app.kubernetes.io/managed-by": "kubemap"}


def config_map(project: str, service: str, data: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": f"{service}-env", "labels": labels(project, service)},
            "data": data if data is not None else {"MODE": "test"}}


def secret(project: str, service: str, values: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": f"{service}-secret", "labels": labels(project, service)},
            "stringData": values}


def service(project: str, name: str, port: int = 8080) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": labels(project, name)},
            "spec": {"selector": {"kubemap.io/service": name},
                     "ports": [{"name": "http", "port": port, "targetPort": port}]}}


def deployment(project: str, name: str, image: str = "registry.local/app:1.0", replicas: int = 1,
               node_selector: dict[str, str] | None = None) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {
        "containers": [{"name": name, "image": image, "envFrom": [{"configMapRef": {"name": f"{name}-env"}}],
                        "ports": [{"containerPort": 8080, "name": "http"}]}],
    }
    if node_selector:
        pod_spec["nodeSelector"] = node_selector
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": labels(project, name)},
            "spec": {"replicas": replicas,
                     "selector": {"matchLabels": {"kubemap.io/service": name}},
                     "template": {"metadata": {"labels": labels(project, name)}, "spec": pod_spec}}}


def job(project: str, name: str, image: str = "registry.local/migrate:1.0") -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "labels": labels(project, name)},
            "spec": {"backoffLimit": 1,
                     "template": {"metadata": {"labels": labels(project, name)},
                                  "spec": {"restartPolicy": "Never",
                                           "containers": [{"name": name, "image": image}]}}}}


def web_service(project: str, name: str, **deployment_args: Any) -> list[dict[str, Any]]:
    """What kubemap makes of one compose service: ConfigMap + Service + Deployment."""
    return [config_map(project, name), service(project, name), deployment(project, name, **deployment_args)]


def write_kustomization(folder: Path, objects: list[dict[str, Any]]) -> Path:
    """One file per object plus kustomization.yaml listing them, like `kubemap convert -o`."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    names = []
    for obj in objects:
        name = f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        (folder / name).write_text(yaml.safe_dump(obj, sort_keys=True))
        names.append(name)
    kustomization = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                     "resources": sorted(names)}
    (folder / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
    return folder
