"""Remove a project from a cluster (`kubemap down`): its namespace when kubemap created it (with
everything in it, claims included, like `docker compose down -v`), otherwise only the objects
kubemap applied for it (a StatefulSet's claims then stay, as Compose keeps volumes); then wait
until they, their Pods and the volumes provisioned for the namespace's claims are gone."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from converter.cluster.apply import ApplyOptions, applied_by_kubemap, prune
from converter.cluster.connection import ApiError, Client
from converter.cluster.objects import KubeObject
from converter.model.ownership import PROJECT_LABEL
from converter.cluster.resources import Discovery
from converter.errors import ClusterError


@dataclass(frozen=True)
class Removal:
    namespace: str
    namespace_deleted: bool  # False: it was not kubemap's, only the project's objects went
    objects_deleted: int
    existed: bool = True


Progress = Callable[[str], None]


def owns_namespace(namespace: KubeObject, project: str | None) -> bool:
    """kubemap created it (its own server-side apply) for this project."""
    labels = (namespace.get("metadata") or {}).get("labels") or {}
    return applied_by_kubemap(namespace) and (project is None or labels.get(PROJECT_LABEL) == project)


def remove_project(
    client: Client,
    namespace: str,
    project: str | None,
    *,
    wait_seconds: float | None,
    on_progress: Progress | None = None,
    interval: float = 1.0,
) -> Removal:
    report = on_progress or (lambda _text: None)
    try:
        live = client.request("GET", f"/api/v1/namespaces/{namespace}").body
    except ApiError as error:
        if error.status == 404:
            return Removal(namespace, False, 0, existed=False)
        raise
    volumes: set[str] = set()
    if owns_namespace(live, project):
        volumes = _volumes_of(client, namespace)
        try:
            client.request("DELETE", f"/api/v1/namespaces/{namespace}")
        except ApiError as error:
            if error.status != 404:
                raise
        removal = Removal(namespace, True, 0)
        if wait_seconds is not None:
            _wait(f"namespace {namespace}", lambda: _namespace_left(client, namespace), wait_seconds, report, interval)
    else:
        if not project:
            raise ClusterError(
                f"namespace {namespace} was not created by kubemap and the manifests name no project",
                hint="pass the Compose project (-f / -p) so kubemap knows which objects are its own",
            )
        pruned = list(prune(client, Discovery(client), ApplyOptions(namespace=namespace, project=project),
                            keep=set()))
        removal = Removal(namespace, False, len(pruned))
        if wait_seconds is not None:
            _wait(f"{project}'s objects in {namespace}", lambda: _objects_left(client, namespace, project),
                  wait_seconds, report, interval)
    if wait_seconds is not None and volumes:
        _wait("provisioned volumes", lambda: _volumes_left(client, volumes), wait_seconds, report, interval)
    return removal


def _wait(what: str, left: Callable[[], str], timeout: float, report: Progress, interval: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        remaining = left()
        if not remaining:
            return
        if remaining != last:
            report(f"waiting for {what} to go: {remaining}")
            last = remaining
        if time.monotonic() >= deadline:
            raise ClusterError(f"{what} still not gone after {timeout:g}s: {remaining}",
                               hint="look for finalizers (kubectl get -o yaml) or raise --timeout")
        time.sleep(interval)


def _count(client: Client, path: str, query: dict[str, str] | None = None) -> int:
    return len(client.request("GET", path, query=query).body.get("items") or [])


def _namespace_left(client: Client, namespace: str) -> str:
    try:
        client.request("GET", f"/api/v1/namespaces/{namespace}")
    except ApiError as error:
        if error.status == 404:
            return ""
        raise
    pods = _count(client, f"/api/v1/namespaces/{namespace}/pods")
    return f"terminating, {pods} pod(s) left" if pods else "terminating"


def _objects_left(client: Client, namespace: str, project: str) -> str:
    selector = {"labelSelector": f"{PROJECT_LABEL}={project}"}
    counts = {
        "pod(s)": _count(client, f"/api/v1/namespaces/{namespace}/pods", selector),
        "service(s)": _count(client, f"/api/v1/namespaces/{namespace}/services", selector),
        "claim(s)": _count(client, f"/api/v1/namespaces/{namespace}/persistentvolumeclaims", selector),
    }
    return ", ".join(f"{n} {what}" for what, n in counts.items() if n)


def _volumes_of(client: Client, namespace: str) -> set[str]:
    """PersistentVolumes bound to claims in the namespace that go when their claim goes."""
    try:
        items = client.request("GET", "/api/v1/persistentvolumes").body.get("items") or []
    except ApiError as error:
        if error.status in (403, 404):  # not allowed to list cluster-scoped volumes: do not wait for them
            return set()
        raise
    return {pv["metadata"]["name"] for pv in items
            if ((pv.get("spec") or {}).get("claimRef") or {}).get("namespace") == namespace
            and (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete"}


def _volumes_left(client: Client, names: set[str]) -> str:
    items = client.request("GET", "/api/v1/persistentvolumes").body.get("items") or []
    left = sorted(pv["metadata"]["name"] for pv in items if pv["metadata"]["name"] in names)
    return f"{len(left)} volume(s): {', '.join(left)}" if left else ""
