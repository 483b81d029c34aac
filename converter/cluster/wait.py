"""Wait until the applied workloads are ready (Deployments, StatefulSets, DaemonSets) or complete
(Jobs), reporting progress as it happens and explaining what is stuck on timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from converter.cluster.connection import ApiError, Client
from converter.cluster.objects import KubeObject, ObjectRef
from converter.errors import ClusterError

WORKLOAD_PATHS = {
    "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments/{name}",
    "StatefulSet": "/apis/apps/v1/namespaces/{ns}/statefulsets/{name}",
    "DaemonSet": "/apis/apps/v1/namespaces/{ns}/daemonsets/{name}",
    "Job": "/apis/batch/v1/namespaces/{ns}/jobs/{name}",
}


@dataclass(frozen=True)
class WorkloadStatus:
    ref: ObjectRef
    ready: int
    desired: int
    done: bool
    failed: str | None = None  # why a Job failed for good
    note: str = ""  # e.g. "2/3 updated", "completions"


ProgressCallback = Callable[[list[WorkloadStatus]], None]


def workloads_of(objects: list[KubeObject], namespace: str) -> list[ObjectRef]:
    return sorted(
        ObjectRef(o["kind"], o["metadata"]["name"], namespace, o["apiVersion"])
        for o in objects
        if o.get("kind") in WORKLOAD_PATHS
    )


def wait_for(
    client: Client,
    workloads: list[ObjectRef],
    timeout: float,
    on_progress: ProgressCallback | None = None,
    interval: float = 1.0,
) -> list[WorkloadStatus]:
    """Poll until every workload is done; raise ClusterError naming the laggards on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        statuses = [status_of(ref, _get(client, ref)) for ref in workloads]
        if on_progress:
            on_progress(statuses)
        failed = [s for s in statuses if s.failed]
        if failed:
            raise ClusterError(
                "; ".join(f"{s.ref} failed: {s.failed}" for s in failed),
                hint="see `kubectl describe` and the pod logs",
            )
        if all(s.done for s in statuses):
            return statuses
        if time.monotonic() >= deadline:
            pending = [s for s in statuses if not s.done]
            reasons = " | ".join(f"{s.ref} {s.ready}/{s.desired} ready: {explain(client, s.ref)}" for s in pending)
            raise ClusterError(
                f"timed out after {timeout:g}s waiting for {len(pending)} workload(s): {reasons}",
                hint="fix the cause above, or raise --timeout",
            )
        time.sleep(interval)


def _get(client: Client, ref: ObjectRef) -> KubeObject:
    path = WORKLOAD_PATHS[ref.kind].format(ns=ref.namespace, name=ref.name)
    try:
        return client.request("GET", path).body
    except ApiError as error:
        if error.status == 404:
            return {}
        raise


def status_of(ref: ObjectRef, obj: KubeObject) -> WorkloadStatus:
    """Readiness the way `kubectl rollout status` judges it."""
    if not obj:
        return WorkloadStatus(ref, 0, 0, False, note="not found")
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    observed = status.get("observedGeneration", 0) >= obj["metadata"].get("generation", 0)
    if ref.kind == "Job":
        return _job_status(ref, spec, status)
    if ref.kind == "DaemonSet":
        desired = status.get("desiredNumberScheduled", 0)
        ready = status.get("numberReady", 0)
        updated = status.get("updatedNumberScheduled", 0)
        return WorkloadStatus(ref, ready, desired, observed and ready >= desired and updated >= desired)
    desired = spec.get("replicas", 1)
    ready = status.get("readyReplicas", 0)
    updated = status.get("updatedReplicas", 0)
    available = status.get("availableReplicas", ready) if ref.kind == "Deployment" else ready
    current = status.get("replicas", 0)
    done = observed and updated >= desired and ready >= desired and available >= desired and current <= desired
    note = f"{updated}/{desired} updated" if updated < desired else ""
    return WorkloadStatus(ref, ready, desired, done, note=note)


def _job_status(ref: ObjectRef, spec: dict[str, Any], status: dict[str, Any]) -> WorkloadStatus:
    completions = spec.get("completions") or 1
    succeeded = status.get("succeeded", 0)
    conditions = {c["type"]: c for c in status.get("conditions", []) if c.get("status") == "True"}
    failed = conditions.get("Failed")
    why = f"{failed.get('reason', '')}: {failed.get('message', '')}".strip(": ") if failed else None
    return WorkloadStatus(ref, succeeded, completions, "Complete" in conditions, failed=why, note="completions")


def explain(client: Client, ref: ObjectRef) -> str:
    """Why a workload is not ready: container waiting reasons, false pod conditions, and the
    latest warning events, most specific first."""
    reasons: list[str] = []
    obj = _get(client, ref)
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if selector:
        label_selector = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
        pods = client.request(
            "GET", f"/api/v1/namespaces/{ref.namespace}/pods", query={"labelSelector": label_selector}
        ).body.get("items", [])
        # Replicas usually fail alike: one line per distinct reason, naming the pods.
        by_reason: dict[str, list[str]] = {}
        for pod in pods:
            for reason in _pod_reasons(pod):
                by_reason.setdefault(reason, []).append(pod["metadata"]["name"])
        for reason, names in by_reason.items():
            shown = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
            reasons.append(f"pod{'s' if len(names) > 1 else ''} {shown}: {reason}")
    if not reasons:
        reasons += _events(client, ref)
    if not obj:
        return "the object does not exist"
    if not reasons and selector:
        reasons.append("no pods yet (is kube-controller-manager running?)")
    return "; ".join(reasons) or "no pods, conditions or events explain it yet"


def _pod_reasons(pod: KubeObject) -> list[str]:
    status = pod.get("status") or {}
    found: list[str] = []
    for container in status.get("initContainerStatuses", []) + status.get("containerStatuses", []):
        waiting = (container.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason") not in (None, "ContainerCreating", "PodInitializing"):
            message = waiting.get("message", "")
            found.append(f"container {container['name']}: {waiting['reason']}"
                         + (f" ({message})" if message else ""))
    for condition in status.get("conditions", []):
        if condition.get("status") == "False" and condition.get("reason") not in (None, "ContainersNotReady", "PodCompleted"):
            found.append(f"{condition['type']}=False: {condition.get('reason')}"
                         + (f" ({condition['message']})" if condition.get("message") else ""))
    if not found and status.get("phase") == "Pending" and not status.get("conditions"):
        found.append("Pending, not yet scheduled")
    return found


def _events(client: Client, ref: ObjectRef) -> list[str]:
    events = client.request(
        "GET", f"/api/v1/namespaces/{ref.namespace}/events",
        query={"fieldSelector": f"involvedObject.name={ref.name},involvedObject.kind={ref.kind}"},
    ).body.get("items", [])
    events.sort(key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or "")
    return [f"event {e.get('reason')}: {e.get('message', '').strip()}" for e in events[-2:]]
