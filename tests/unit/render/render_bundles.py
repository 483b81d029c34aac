"""Bundles built by hand, so render is tested without the loader or the translator."""

from __future__ import annotations

from typing import Any

from converter.model import Bundle, ManifestObject


def labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "kubemap"}


def deployment(name: str, image: str = "nginx:1.27") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": labels(name)},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "image": image,
                            "args": ["sh", "-c", "echo $$(date) $HOME"],
                            "ports": [{"containerPort": 80, "name": "http"}],
                        }
                    ]
                },
            },
        },
    }


def service(name: str, port: int = 80) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http", "port": port, "targetPort": port, "protocol": "TCP"}],
        },
    }


def config_map(name: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def pvc(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }


def make_bundle(objects: list[ManifestObject], **extra: Any) -> Bundle:
    return Bundle(
        project="shop",
        source_files=extra.pop("source_files", ["/home/someone/shop/compose.yaml"]),
        objects=objects,
        **extra,
    )


