"""Wait until the applied workloads are ready (Deployments, StatefulSets, DaemonSets) or complete
(Jobs), reporting each round as it happens (per workload: ready/desired, a kubectl-style phase,
restarts, the latest event) and, when it does not get there, naming each stuck workload's
service and why: the image that cannot be pulled, a crash loop with its last log lines, the
scheduler's message for a Pending Pod."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from converter.cluster.connection import ApiError, Client
from converter.cluster.health import Problem, health_of, service_of
from converter.cluster.objects import KubeObject, ObjectRef
from converter.errors import ClusterError

WORKLOAD_PATHS = {
    "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments/{name}",
    "StatefulSet": "/apis/apps/v1/namespaces/{ns}/statefulsets/{name}",
    "DaemonSet": "/apis/apps/v1/namespaces/{ns}/daemonsets/{name}",
    "Job": "/apis/batch/v1/namespaces/{ns}/jobs/{name}",
}
# With give_up_when_stuck, a problem that can last (an image pull back-off, a container that
# cannot be created) ends the wait once it has lasted this long without a break.
STUCK_GRACE_SECONDS = 20.0
LOG_LINES = 10


@dataclass(frozen=True)
class WorkloadStatus:
    ref: ObjectRef
    ready: int
    desired: int
    done: bool
    failed: str | None = None  # why a Job failed for good
    note: str = ""  # e.g. "2/3 updated", "completions"
    service: str = ""  # the Compose service (label kubemap.io/service), else the workload's name
    phase: str = ""  # kubectl-style: Running, Init:0/1, ImagePullBackOff, Completed, ...
    restarts: int = 0
    last_event: str = ""
    problem: Problem | None = None


class WaitError(ClusterError):
    """The workloads did not all get ready; `stuck` are the ones that did not, with why."""

    def __init__(self, message: str, *, stuck: list[WorkloadStatus], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.stuck = stuck


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
    *,
    give_up_when_stuck: bool = False,
) -> list[WorkloadStatus]:
    """Poll until every workload is done; raise WaitError naming the laggards on timeout, at once
    when a Job fails, and (give_up_when_stuck) when a Pod is in a state waiting cannot mend."""
    deadline = time.monotonic() + timeout
    first_seen: dict[tuple[ObjectRef, str], float] = {}
    while True:
        statuses = observe(client, workloads)
        now = time.monotonic()
        if on_progress:
            on_progress(statuses)
        failed = [s for s in statuses if s.failed]
        if failed:
            raise WaitError(
                "; ".join(f"{s.ref} failed: {s.failed}" for s in failed), stuck=failed,
                hint="see `kubectl describe` and the pod logs",
            )
        if all(s.done for s in statuses):
            return statuses
        pending = [s for s in statuses if not s.done]
        seen = {(s.ref, s.problem.reason) for s in pending if s.problem}
        first_seen = {key: first_seen.get(key, now) for key in seen}
        if give_up_when_stuck:
            hopeless = [s for s in pending if s.problem and (s.problem.fatal or (
                s.problem.lasting and now - first_seen[(s.ref, s.problem.reason)] >= STUCK_GRACE_SECONDS))]
            if hopeless:
                raise WaitError(
                    f"gave up waiting: {len(hopeless)} workload(s) will not get ready by waiting: "
                    + " | ".join(explain_status(client, s) for s in hopeless),
                    stuck=hopeless, hint="fix the cause above and run the command again",
                )
        if now >= deadline:
            raise WaitError(
                f"timed out after {timeout:g}s waiting for {len(pending)} workload(s): "
                + " | ".join(explain_status(client, s) for s in pending),
                stuck=pending, hint="fix the cause above, or raise --timeout",
            )
        time.sleep(interval)


def observe(client: Client, workloads: list[ObjectRef]) -> list[WorkloadStatus]:
    """One round: every workload, plus the Pods and events of their namespaces (one list each)."""
    objects = [_get(client, ref) for ref in workloads]
    pods: dict[str, list[KubeObject]] = {}
    events: dict[str, list[KubeObject]] = {}
    for namespace in sorted({str(ref.namespace) for ref in workloads}):
        pods[namespace] = _list(client, f"/api/v1/namespaces/{namespace}/pods")
        events[namespace] = _list(client, f"/api/v1/namespaces/{namespace}/events")
    statuses = []
    for ref, obj in zip(workloads, objects, strict=True):
        health = health_of(obj, ref.kind, ref.name, pods[str(ref.namespace)], events[str(ref.namespace)])
        statuses.append(replace(status_of(ref, obj), service=service_of(obj, ref.name), phase=health.phase,
                                restarts=health.restarts, last_event=health.last_event, problem=health.problem))
    return statuses


def _get(client: Client, ref: ObjectRef) -> KubeObject:
    path = WORKLOAD_PATHS[ref.kind].format(ns=ref.namespace, name=ref.name)
    try:
        return client.request("GET", path).body
    except ApiError as error:
        if error.status == 404:
            return {}
        raise


def _list(client: Client, path: str) -> list[KubeObject]:
    items = client.request("GET", path).body.get("items") or []
    return [i for i in items if isinstance(i, dict)]


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


def explain_status(client: Client, status: WorkloadStatus) -> str:
    """`service S: Kind/name r/d ready: <why>`, where why is the Pod problem (with the last log
    lines of a crash-looping container) or, failing that, the workload's latest events."""
    head = f"service {status.service or status.ref.name}: {status.ref} {status.ready}/{status.desired} ready"
    if status.failed:
        return f"{head}: failed: {status.failed}"
    problem = status.problem
    if problem is None:
        return f"{head}: {explain(client, status.ref)}"
    text = problem.text
    if problem.reason == "CrashLoopBackOff" and problem.pod:
        text += "; " + last_log_lines(client, str(status.ref.namespace), problem.pod, problem.container)
    return f"{head}: {text}"


def last_log_lines(client: Client, namespace: str, pod: str, container: str, lines: int = LOG_LINES) -> str:
    """The end of the previous (crashed) run's log, else of the current one."""
    path = f"/api/v1/namespaces/{namespace}/pods/{pod}/log"
    unavailable = ""
    for previous in ("true", "false"):
        try:
            text = client.text(path, query={"container": container, "tailLines": str(lines), "previous": previous})
        except ClusterError as error:
            unavailable = str(error)
            continue
        shown = [line for line in text.splitlines() if line.strip()][-lines:]
        if shown:
            return f"last log lines of container {container}:\n" + "\n".join(f"    | {line}" for line in shown)
    return f"no log available ({unavailable})" if unavailable else "its log is empty"


def explain(client: Client, ref: ObjectRef) -> str:
    """Why a workload without a Pod problem is not ready: its latest events, or no Pods."""
    obj = _get(client, ref)
    if not obj:
        return "the object does not exist"
    reasons = _events(client, ref)
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if not reasons and selector:
        reasons.append("no pods yet (is kube-controller-manager running?)")
    return "; ".join(reasons) or "no pods, conditions or events explain it yet"


def _events(client: Client, ref: ObjectRef) -> list[str]:
    events = client.request(
        "GET", f"/api/v1/namespaces/{ref.namespace}/events",
        query={"fieldSelector": f"involvedObject.name={ref.name},involvedObject.kind={ref.kind}"},
    ).body.get("items", [])
    events.sort(key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or "")
    return [f"event {e.get('reason')}: {e.get('message', '').strip()}" for e in events[-2:]]
