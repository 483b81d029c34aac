"""Compare what `helm template` renders with what `kubemap convert` writes, as structures:
Helm's own labels and annotations and the release namespace aside (the only differences the
chart is allowed to make)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

HELM_LABELS = frozenset({"helm.sh/chart", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by",
                         "app.kubernetes.io/version"})


def _strip(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _strip(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in list(node.items()):
        if key == "labels" and isinstance(value, dict):
            for label in HELM_LABELS:
                value.pop(label, None)
        elif key == "annotations" and isinstance(value, dict):
            for annotation in [a for a in value if a.startswith("helm.sh/")]:
                del value[annotation]
            if not value:
                del node[key]
                continue
        _strip(value)


def normalise(body: dict[str, Any], namespace: str | None = None) -> dict[str, Any]:
    """A copy without Helm's labels/annotations and, when `namespace` is given, without
    metadata.namespace (which must be that namespace where it is set)."""
    body = copy.deepcopy(body)
    meta = body.get("metadata") or {}
    if namespace is not None and "namespace" in meta:
        assert meta["namespace"] == namespace, f"{body['kind']}/{meta.get('name')}: namespace {meta['namespace']!r}"
        del meta["namespace"]
    _strip(body)
    return body


def by_ref(bodies: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for body in bodies:
        ref = f"{body['kind']}/{body['metadata']['name']}"
        assert ref not in out, f"{ref} twice"
        out[ref] = body
    return out


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def manifest_dir_objects(folder: Path) -> list[dict[str, Any]]:
    """The objects of a `kubemap convert` output folder (not the kustomization or kind config)."""
    bodies = []
    for file in sorted(folder.glob("*.yaml")):
        for doc in documents(file.read_text(encoding="utf-8")):
            if doc.get("kind") not in ("Kustomization", "Cluster"):
                bodies.append(doc)
    return bodies


def differences(helm: list[dict[str, Any]], plain: list[dict[str, Any]], namespace: str) -> list[str]:
    """What differs, object by object (empty: the same objects)."""
    left = by_ref([normalise(b, namespace) for b in helm])
    right = by_ref([normalise(b, namespace) for b in plain])
    problems = [f"only in helm template: {ref}" for ref in sorted(set(left) - set(right))]
    problems += [f"only in kubemap convert: {ref}" for ref in sorted(set(right) - set(left))]
    for ref in sorted(set(left) & set(right)):
        if left[ref] != right[ref]:
            problems.append(f"{ref} differs:\n  helm:  {left[ref]}\n  plain: {right[ref]}")
    return problems
