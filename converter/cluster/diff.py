"""Differences between generated objects and the cluster, or between two sets of objects.

Live diff = what a server-side apply would change: the object is applied with dryRun=All and
the result compared with the live object, after dropping what the server maintains itself
(uid, resourceVersion, managedFields, status, ...). Defaults the server fills in appear on both
sides and so cancel out. Secret values are never shown, only whether they change.
"""

from __future__ import annotations

import base64
import copy
import difflib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import yaml

from converter.cluster.apply import APPLY_PATCH, applied_by_kubemap, describe_failure
from converter.cluster.connection import ApiError, Client
from converter.cluster.objects import KubeObject, ObjectRef, in_namespace, ref_of
from converter.cluster.resources import PRUNABLE_KINDS, Discovery
from converter.errors import ClusterError
from converter.model.kube import kind_rank
from converter.model.ownership import FIELD_MANAGER, PROJECT_LABEL

SERVER_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink")
MASK = "***"
MASK_CHANGED = "***changed***"


@dataclass(frozen=True)
class ObjectDiff:
    ref: ObjectRef
    change: str  # added | removed | changed | same
    diff: str  # unified diff text, empty when same

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.ref.kind, "name": self.ref.name, "namespace": self.ref.namespace,
                "change": self.change, "diff": self.diff}


def differs(diffs: list[ObjectDiff]) -> bool:
    return any(d.change != "same" for d in diffs)


def diff_live(
    client: Client, objects: list[KubeObject], namespace: str, project: str | None = None,
    include_prune: bool = False, *, workers: int = 8,
) -> list[ObjectDiff]:
    """Generated objects against the cluster; with include_prune, also the project's objects
    that an apply with --prune would delete."""
    discovery = Discovery(client)
    discovery.prefetch({str(obj.get("apiVersion")) for obj in objects})
    placed = []
    for obj in sorted(objects, key=lambda o: (kind_rank(o["kind"]), o["kind"], o["metadata"]["name"])):
        resource = discovery.resolve(obj["apiVersion"], obj["kind"])
        placed.append((resource.path(obj["metadata"]["name"], namespace if resource.namespaced else None),
                       in_namespace(obj, namespace if resource.namespaced else None)))

    def one(item: tuple[str, KubeObject]) -> ObjectDiff:
        path, obj = item
        ref = ref_of(obj)
        live = _get_or_none(client, path)
        planned = _dry_run_apply(client, path, obj, ref)
        return _compare(ref, None, obj) if live is None else _compare(ref, live, planned or obj)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, placed))
    keep = {(d.ref.kind, d.ref.name) for d in results}
    if include_prune and project:
        results += _would_prune(client, discovery, namespace, project, keep)
    return results


def diff_sets(
    old: list[KubeObject], new: list[KubeObject], labels: tuple[str, str] = ("old", "new")
) -> list[ObjectDiff]:
    """Two sets of manifests against each other (two folders, or two compose projects)."""
    def key(o: KubeObject) -> tuple[str, str, str]:
        return (o.get("kind", ""), (o.get("metadata") or {}).get("namespace") or "", o["metadata"]["name"])

    before = {key(o): o for o in old}
    after = {key(o): o for o in new}
    results = []
    for k in sorted(before.keys() | after.keys(), key=lambda k: (kind_rank(k[0]), k)):
        ref = ObjectRef(k[0], k[2], k[1] or None)
        results.append(_compare(ref, before.get(k), after.get(k), labels))
    return results


def _get_or_none(client: Client, path: str) -> KubeObject | None:
    try:
        return client.request("GET", path).body
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def _dry_run_apply(client: Client, path: str, obj: KubeObject, ref: ObjectRef) -> KubeObject | None:
    # force=true: the diff shows what kubemap wants, even where another manager owns a field.
    query = {"fieldManager": FIELD_MANAGER, "dryRun": "All", "force": "true"}
    try:
        return client.request("PATCH", path, body=obj, query=query, content_type=APPLY_PATCH).body
    except ApiError as error:
        if error.status == 404:  # the namespace does not exist yet: everything is new
            return None
        raise ClusterError(describe_failure(ref, error)) from None


def _would_prune(
    client: Client, discovery: Discovery, namespace: str, project: str, keep: set[tuple[str, str]]
) -> list[ObjectDiff]:
    found = []
    for kind, api_version in sorted(PRUNABLE_KINDS.items()):
        if not discovery.serves(api_version, kind):
            continue
        resource = discovery.resolve(api_version, kind)
        try:
            items = client.request("GET", resource.collection_path(namespace),
                                   query={"labelSelector": f"{PROJECT_LABEL}={project}"}).body.get("items", [])
        except ApiError as error:
            if error.status == 404:
                continue
            raise
        for item in items:
            if (kind, item["metadata"]["name"]) not in keep and applied_by_kubemap(item):
                found.append(_compare(ObjectRef(kind, item["metadata"]["name"], namespace), item, None))
    return found


def _compare(
    ref: ObjectRef, old: KubeObject | None, new: KubeObject | None,
    labels: tuple[str, str] = ("live", "generated"),
) -> ObjectDiff:
    old_clean = clean(old) if old is not None else None
    new_clean = clean(new) if new is not None else None
    if ref.kind == "Secret":
        old_clean, new_clean = mask_secret_values(old_clean, new_clean)
    old_text = to_yaml(old_clean) if old_clean is not None else ""
    new_text = to_yaml(new_clean) if new_clean is not None else ""
    if old_clean is None:
        change = "added"
    elif new_clean is None:
        change = "removed"
    else:
        change = "same" if old_text == new_text else "changed"
    if change == "same":
        return ObjectDiff(ref, change, "")
    label = f"{ref.kind}/{ref.name}"
    text = "".join(difflib.unified_diff(
        old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
        fromfile=f"{labels[0]}/{label}" if change != "added" else "/dev/null",
        tofile=f"{labels[1]}/{label}" if change != "removed" else "/dev/null",
    ))
    return ObjectDiff(ref, change, text)


def clean(obj: KubeObject) -> KubeObject:
    """Drop what the server maintains so only intended state is compared."""
    result = copy.deepcopy(obj)
    result.pop("status", None)
    meta = result.get("metadata") or {}
    for key in SERVER_METADATA:
        meta.pop(key, None)
    if not meta.get("annotations"):
        meta.pop("annotations", None)
    return result


def mask_secret_values(
    old: KubeObject | None, new: KubeObject | None
) -> tuple[KubeObject | None, KubeObject | None]:
    """Replace Secret values by *** (or ***changed*** where the new value differs), comparing
    `stringData` through its base64 `data` form so both spellings of one value match."""
    old_values = _secret_values(old)
    new_values = _secret_values(new)

    def masked(obj: KubeObject | None, values: dict[str, str], other: dict[str, str], is_new: bool) -> KubeObject | None:
        if obj is None:
            return None
        obj = copy.deepcopy(obj)
        obj.pop("stringData", None)
        data = {}
        for key in sorted(values):
            changed = is_new and key in other and other[key] != values[key]
            data[key] = MASK_CHANGED if changed else MASK
        if data:
            obj["data"] = data
        else:
            obj.pop("data", None)
        return obj

    return masked(old, old_values, new_values, False), masked(new, new_values, old_values, True)


def _secret_values(obj: KubeObject | None) -> dict[str, str]:
    if obj is None:
        return {}
    values = {k: str(v) for k, v in (obj.get("data") or {}).items()}
    for key, value in (obj.get("stringData") or {}).items():
        values[key] = base64.b64encode(str(value).encode()).decode()
    return values


def to_yaml(obj: KubeObject) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(obj, Dumper=dumper, sort_keys=True, default_flow_style=False, allow_unicode=True)
