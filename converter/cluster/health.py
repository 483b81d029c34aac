"""What a workload's Pods and events say about it: a kubectl-style phase, restarts, the latest
event, and the problem that keeps it from being ready, with whether waiting can still help.

Pure functions over the API's JSON (no requests), so the rules are tested table by table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from converter.cluster.objects import KubeObject

SERVICE_LABEL = "kubemap.io/service"

# Waiting reasons of a container that mean its image cannot be had.
PULL_FAILURES = frozenset({"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName"})
# ... of which these never change by waiting (the kubelet will not even try again).
NEVER_RECOVERS = frozenset({"ErrImageNeverPull", "InvalidImageName"})
# The container cannot be created or started as specified (missing key, bad command, ...).
CREATE_FAILURES = frozenset({"CreateContainerConfigError", "CreateContainerError", "RunContainerError"})
# A crash-looping container restarted this often has shown that it does not start by itself.
CRASH_LOOP_RESTARTS = 3
# Reasons that say "still starting", not "stuck".
_STARTING = frozenset({None, "", "ContainerCreating", "PodInitializing"})


@dataclass(frozen=True)
class Problem:
    """Why a workload is not ready, found in one of its Pods.

    fatal: waiting longer cannot help (the image may never be pulled, the container crashed
    CRASH_LOOP_RESTARTS times). lasting: fatal if it is still so after a grace period (image pull
    back-off, a container that cannot be created). Neither: it may settle (scheduling, probes).
    """

    reason: str  # ImagePullBackOff, CrashLoopBackOff, Unschedulable, NotReady, ...
    text: str  # one line: pod, container, what is wrong, the kubelet's or scheduler's words
    pod: str = ""
    container: str = ""
    image: str = ""
    fatal: bool = False
    lasting: bool = False


@dataclass(frozen=True)
class Health:
    phase: str
    restarts: int
    last_event: str
    problem: Problem | None
    pods: int


def service_of(workload: KubeObject, fallback: str) -> str:
    labels = (workload.get("metadata") or {}).get("labels") or {}
    return str(labels.get(SERVICE_LABEL) or fallback)


def pods_of(workload: KubeObject, pods: list[KubeObject]) -> list[KubeObject]:
    """The Pods the workload's selector matches (matchLabels, as kubemap writes selectors)."""
    selector = ((workload.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if not selector:
        return []
    return [p for p in pods
            if all(((p.get("metadata") or {}).get("labels") or {}).get(k) == v for k, v in selector.items())]


def health_of(workload: KubeObject, kind: str, name: str, pods: list[KubeObject],
              events: list[KubeObject]) -> Health:
    mine = [p for p in pods_of(workload, pods) if not (p.get("metadata") or {}).get("deletionTimestamp")]
    problems = [pr for pr in (problem_of(p, events) for p in mine) if pr is not None]
    # The most telling problem first: what will not fix itself, then what may.
    problems.sort(key=lambda pr: (not pr.fatal, not pr.lasting, pr.pod))
    phases = sorted(phase_of(p) for p in mine)
    if problems and any(phase.endswith(problems[0].reason) for phase in phases):
        phase = next(phase for phase in phases if phase.endswith(problems[0].reason))
    else:
        phase = _summary_phase(phases) if phases else ("no pods" if workload else "not found")
    restarts = sum(_restarts(p) for p in mine)
    pod_names = {(p.get("metadata") or {}).get("name", "") for p in mine}
    return Health(phase, restarts, last_event(events, kind, name, pod_names), problems[0] if problems else None,
                  len(mine))


def _summary_phase(phases: list[str]) -> str:
    # The phase most pods share; ties go to the one that is not Running (the news).
    counts: dict[str, int] = {}
    for phase in phases:
        counts[phase] = counts.get(phase, 0) + 1
    return max(counts, key=lambda ph: (counts[ph], ph != "Running"))


def phase_of(pod: KubeObject) -> str:
    """The STATUS column of `kubectl get pods`: Init:1/2, ContainerCreating, CrashLoopBackOff,
    ImagePullBackOff, Running, Completed, Pending, Terminating, ..."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    if meta.get("deletionTimestamp"):
        return "Terminating"
    inits = status.get("initContainerStatuses") or []
    total_inits = len(spec.get("initContainers") or []) or len(inits)
    for index, container in enumerate(inits):
        state = container.get("state") or {}
        terminated = state.get("terminated")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if terminated:
            return f"Init:{terminated.get('reason') or 'ExitCode:' + str(terminated.get('exitCode'))}"
        waiting = (state.get("waiting") or {}).get("reason")
        if waiting and waiting != "PodInitializing":
            return f"Init:{waiting}"
        return f"Init:{index}/{total_inits}"
    reason = ""
    for container in status.get("containerStatuses") or []:
        state = container.get("state") or {}
        waiting = (state.get("waiting") or {}).get("reason")
        terminated = state.get("terminated") or {}
        if waiting:
            reason = waiting
        elif terminated and not reason:
            reason = terminated.get("reason") or f"ExitCode:{terminated.get('exitCode')}"
        if reason and reason not in ("Completed", "ContainerCreating", "PodInitializing"):
            return reason
    if reason:
        return reason
    phase = str(status.get("phase") or "Pending")
    return "Completed" if phase == "Succeeded" else phase


def _restarts(pod: KubeObject) -> int:
    status = pod.get("status") or {}
    return sum(int(c.get("restartCount") or 0)
               for c in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []))


def _image_of(pod: KubeObject, container: str, status: dict[str, Any]) -> str:
    spec = pod.get("spec") or {}
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if c.get("name") == container:
            return str(c.get("image") or status.get("image") or "")
    return str(status.get("image") or "")


def problem_of(pod: KubeObject, events: list[KubeObject]) -> Problem | None:
    """The first thing wrong with one Pod, most specific first: a container that cannot start
    (image, crash loop, creation), then scheduling, then a container that runs but is not
    ready (with the probe's last complaint)."""
    name = str((pod.get("metadata") or {}).get("name", ""))
    status = pod.get("status") or {}
    for container in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        found = _container_problem(pod, name, container)
        if found:
            return found
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            reason = str(condition.get("reason") or "Unschedulable")
            message = condition.get("message") or "no node fits"
            return Problem(reason, f"pod {name}: Pending: PodScheduled=False: {reason} ({message})", pod=name)
    if status.get("phase") == "Pending" and not status.get("conditions"):
        return Problem("Pending", f"pod {name}: Pending, not yet scheduled", pod=name)
    for container in status.get("containerStatuses") or []:
        if "running" in (container.get("state") or {}) and not container.get("ready"):
            complaint = _latest(events, "Pod", name, reason="Unhealthy")
            said = f": {complaint}" if complaint else " yet"
            return Problem("NotReady", f"pod {name}: container {container.get('name')} is running but not ready{said}",
                           pod=name, container=str(container.get("name", "")))
    return None


def _container_problem(pod: KubeObject, pod_name: str, container: dict[str, Any]) -> Problem | None:
    state = container.get("state") or {}
    waiting = state.get("waiting") or {}
    reason = waiting.get("reason")
    if reason in _STARTING:
        return None
    cname = str(container.get("name", ""))
    message = str(waiting.get("message") or "").strip()
    said = f" ({message})" if message else ""
    where = f"pod {pod_name}: container {cname}"
    if reason in PULL_FAILURES:
        image = _image_of(pod, cname, container)
        return Problem(reason, f"{where}: {reason}{said}; image {image} cannot be pulled", pod=pod_name,
                       container=cname, image=image, fatal=reason in NEVER_RECOVERS, lasting=True)
    if reason == "CrashLoopBackOff":
        restarts = int(container.get("restartCount") or 0)
        last = (container.get("lastState") or {}).get("terminated") or {}
        exit_text = f", last exit code {last.get('exitCode')}" if "exitCode" in last else ""
        if last.get("reason") and last.get("reason") not in ("Error", "Completed"):
            exit_text += f" ({last['reason']})"
        return Problem(reason, f"{where}: CrashLoopBackOff, restarted {restarts} times{exit_text}", pod=pod_name,
                       container=cname, image=_image_of(pod, cname, container),
                       fatal=restarts >= CRASH_LOOP_RESTARTS)
    if reason in CREATE_FAILURES:
        return Problem(reason, f"{where}: {reason}{said}", pod=pod_name, container=cname, lasting=True)
    return Problem(str(reason), f"{where}: {reason}{said}", pod=pod_name, container=cname)


def _event_time(event: KubeObject) -> str:
    """Comparable as text: `lastTimestamp` has whole seconds, `eventTime` (events the scheduler
    writes through events.k8s.io) microseconds; both become YYYY-MM-DDTHH:MM:SS.ffffff."""
    stamp = str(event.get("lastTimestamp") or event.get("eventTime")
                or (event.get("metadata") or {}).get("creationTimestamp") or "")
    fraction = stamp[19:].rstrip("Z") or "."
    return stamp[:19] + fraction.ljust(7, "0")


def _latest(events: list[KubeObject], kind: str, name: str, reason: str | None = None) -> str:
    found = [e for e in events
             if (e.get("involvedObject") or {}).get("kind") == kind and (e.get("involvedObject") or {}).get("name") == name
             and (reason is None or e.get("reason") == reason)]
    if not found:
        return ""
    event = max(found, key=_event_time)
    return " ".join(str(event.get("message") or "").split())


def last_event(events: list[KubeObject], kind: str, name: str, pod_names: set[str]) -> str:
    """The newest event about the workload, its ReplicaSets or its Pods: `Reason: message`."""
    def about(event: KubeObject) -> bool:
        involved = event.get("involvedObject") or {}
        ikind, iname = involved.get("kind"), str(involved.get("name") or "")
        if ikind == kind and iname == name:
            return True
        if ikind == "Pod":
            return iname in pod_names
        # A Deployment's ReplicaSets are named <deployment>-<pod-template-hash>.
        return ikind == "ReplicaSet" and kind == "Deployment" and iname.rsplit("-", 1)[0] == name

    mine = [e for e in events if about(e)]
    if not mine:
        return ""
    event = max(mine, key=_event_time)
    message = " ".join(str(event.get("message") or "").split())
    return f"{event.get('reason', '')}: {message}".strip(": ")
