"""Helpers for Kubernetes objects as plain dicts: identity, labels, namespacing."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from converter.errors import ClusterError
from converter.model.ownership import PROJECT_LABEL

KubeObject = dict[str, Any]


@dataclass(frozen=True, order=True)
class ObjectRef:
    kind: str
    name: str
    namespace: str | None = None
    api_version: str = ""

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


def ref_of(obj: KubeObject) -> ObjectRef:
    meta = obj.get("metadata") or {}
    return ObjectRef(
        kind=str(obj.get("kind", "")),
        name=str(meta.get("name", "")),
        namespace=meta.get("namespace"),
        api_version=str(obj.get("apiVersion", "")),
    )


def check_identity(obj: KubeObject, where: str) -> None:
    """Every object needs apiVersion, kind and metadata.name before the API server sees it."""
    for key in ("apiVersion", "kind"):
        if not isinstance(obj.get(key), str) or not obj[key]:
            raise ClusterError(f"{where}: object has no {key}", hint="every manifest needs apiVersion and kind")
    name = (obj.get("metadata") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise ClusterError(f"{where}: {obj['kind']} has no metadata.name")


def project_of(objects: list[KubeObject]) -> str | None:
    """The value of kubemap's project label, when the objects agree on one."""
    values = {((o.get("metadata") or {}).get("labels") or {}).get(PROJECT_LABEL) for o in objects}
    values.discard(None)
    if len(values) > 1:
        raise ClusterError(
            f"the manifests belong to several kubemap projects ({', '.join(sorted(values))})",
            hint="apply one project at a time",
        )
    return values.pop() if values else None


def in_namespace(obj: KubeObject, namespace: str | None) -> KubeObject:
    """A copy of obj placed in namespace (None for cluster-scoped kinds)."""
    placed = copy.deepcopy(obj)
    meta = placed.setdefault("metadata", {})
    if namespace is None:
        meta.pop("namespace", None)
    else:
        meta["namespace"] = namespace
    return placed
