"""converter/cluster/health.py: what Pods and events say about a workload, table by table."""

from __future__ import annotations

from typing import Any

import pytest

from converter.cluster.health import health_of, last_event, phase_of, problem_of


def pod(name: str = "api-1", *, phase: str = "Running", containers: list[dict[str, Any]] | None = None,
        inits: list[dict[str, Any]] | None = None, conditions: list[dict[str, Any]] | None = None,
        deleting: bool = False, image: str = "registry.local/api:1") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {"kubemap.io/service": "api"}}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    status: dict[str, Any] = {"phase": phase}
    if containers is not None:
        status["containerStatuses"] = containers
    if inits is not None:
        status["initContainerStatuses"] = inits
    if conditions is not None:
        status["conditions"] = conditions
    spec = {"containers": [{"name": "api", "image": image}],
            "initContainers": [{"name": f"wait-{i}", "image": image} for i in range(len(inits or []))]}
    return {"metadata": meta, "spec": spec, "status": status}


def waiting(reason: str, message: str = "", restarts: int = 0, name: str = "api", **extra: Any) -> dict[str, Any]:
    state = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
    return {"name": name, "state": state, "restartCount": restarts, "ready": False, **extra}


def running(ready: bool = True, name: str = "api", restarts: int = 0) -> dict[str, Any]:
    return {"name": name, "state": {"running": {}}, "ready": ready, "restartCount": restarts}


def done(exit_code: int = 0, name: str = "wait-0", reason: str = "Completed") -> dict[str, Any]:
    return {"name": name, "state": {"terminated": {"exitCode": exit_code, "reason": reason}}, "restartCount": 0}


PHASES = [
    ("running", pod(containers=[running()]), "Running"),
    ("creating", pod(phase="Pending", containers=[waiting("ContainerCreating")]), "ContainerCreating"),
    ("pull back-off", pod(phase="Pending", containers=[waiting("ImagePullBackOff")]), "ImagePullBackOff"),
    ("crash loop", pod(containers=[waiting("CrashLoopBackOff", restarts=4)]), "CrashLoopBackOff"),
    ("first init running", pod(phase="Pending", inits=[running(False, "wait-0"), waiting("PodInitializing", name="wait-1")],
                               containers=[waiting("PodInitializing")]), "Init:0/2"),
    ("second init running", pod(phase="Pending", inits=[done(), running(False, "wait-1")]), "Init:1/2"),
    ("init crash loop", pod(phase="Pending", inits=[waiting("CrashLoopBackOff", name="wait-0", restarts=3)]),
     "Init:CrashLoopBackOff"),
    ("init failed", pod(phase="Pending", inits=[done(1, reason="Error")]), "Init:Error"),
    ("job done", pod(phase="Succeeded", containers=[done(name="api")]), "Completed"),
    ("unscheduled", pod(phase="Pending"), "Pending"),
    ("terminating", pod(containers=[running()], deleting=True), "Terminating"),
]


@pytest.mark.parametrize(("case", "the_pod", "expected"), PHASES, ids=[c[0] for c in PHASES])
def test_phase_is_what_kubectl_get_pods_shows(case: str, the_pod: dict[str, Any], expected: str) -> None:
    assert phase_of(the_pod) == expected


def test_an_image_that_cannot_be_pulled_names_the_image_and_may_last() -> None:
    found = problem_of(pod(phase="Pending", containers=[waiting("ImagePullBackOff", 'Back-off pulling image "x"')],
                           image="registry.local/x:1"), [])
    assert found is not None
    assert found.reason == "ImagePullBackOff"
    assert found.text == ('pod api-1: container api: ImagePullBackOff (Back-off pulling image "x"); '
                          "image registry.local/x:1 cannot be pulled")
    assert found.image == "registry.local/x:1"
    assert (found.fatal, found.lasting) == (False, True)


@pytest.mark.parametrize("reason", ["ErrImageNeverPull", "InvalidImageName"])
def test_an_image_the_kubelet_will_never_try_again_is_fatal_at_once(reason: str) -> None:
    found = problem_of(pod(phase="Pending", containers=[waiting(reason)]), [])
    assert found is not None and found.fatal


@pytest.mark.parametrize(("restarts", "fatal"), [(1, False), (2, False), (3, True), (9, True)])
def test_a_crash_loop_is_fatal_after_three_restarts(restarts: int, fatal: bool) -> None:
    last = {"terminated": {"exitCode": 3, "reason": "Error"}}
    found = problem_of(pod(containers=[waiting("CrashLoopBackOff", restarts=restarts, lastState=last)]), [])
    assert found is not None
    assert found.text == f"pod api-1: container api: CrashLoopBackOff, restarted {restarts} times, last exit code 3"
    assert found.fatal is fatal and found.container == "api"


def test_an_unschedulable_pod_quotes_the_scheduler_and_may_settle() -> None:
    message = "0/1 nodes are available: 1 Insufficient memory."
    found = problem_of(pod(phase="Pending", conditions=[
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}]), [])
    assert found is not None
    assert found.text == f"pod api-1: Pending: PodScheduled=False: Unschedulable ({message})"
    assert (found.fatal, found.lasting) == (False, False)


def test_a_running_container_that_is_not_ready_quotes_its_probe() -> None:
    events = [{"involvedObject": {"kind": "Pod", "name": "api-1"}, "reason": "Unhealthy",
               "message": "Readiness probe failed:  HTTP 503", "lastTimestamp": "2026-01-01T00:00:01Z"},
              {"involvedObject": {"kind": "Pod", "name": "other"}, "reason": "Unhealthy", "message": "not this one",
               "lastTimestamp": "2026-01-01T00:00:02Z"}]
    found = problem_of(pod(containers=[running(ready=False)]), events)
    assert found is not None
    assert found.text == "pod api-1: container api is running but not ready: Readiness probe failed: HTTP 503"


def test_a_ready_pod_has_no_problem() -> None:
    assert problem_of(pod(containers=[running()]), []) is None


def test_last_event_covers_the_workload_its_replicasets_and_its_pods_only() -> None:
    def event(kind: str, name: str, reason: str, at: str) -> dict[str, Any]:
        return {"involvedObject": {"kind": kind, "name": name}, "reason": reason, "message": f"{reason} msg",
                "lastTimestamp": at}

    events = [event("Deployment", "api", "ScalingReplicaSet", "2026-01-01T00:00:01Z"),
              event("ReplicaSet", "api-5d8f", "SuccessfulCreate", "2026-01-01T00:00:02Z"),
              event("Pod", "api-5d8f-x", "Pulled", "2026-01-01T00:00:03Z"),
              event("Pod", "api-gateway-1", "Started", "2026-01-01T00:00:09Z"),  # another service's Pod
              event("ReplicaSet", "api-gateway-5d8f", "SuccessfulCreate", "2026-01-01T00:00:09Z")]
    assert last_event(events, "Deployment", "api", {"api-5d8f-x"}) == "Pulled: Pulled msg"
    assert last_event(events, "Deployment", "api", set()) == "SuccessfulCreate: SuccessfulCreate msg"
    assert last_event([], "Deployment", "api", set()) == ""


def test_health_shows_the_phase_of_the_worst_pod_and_sums_restarts() -> None:
    workload = {"metadata": {"name": "api"}, "spec": {"selector": {"matchLabels": {"kubemap.io/service": "api"}}}}
    pods = [pod("api-1", containers=[running(restarts=1)]),
            pod("api-2", containers=[waiting("CrashLoopBackOff", restarts=3)]),
            {"metadata": {"name": "web-1", "labels": {"kubemap.io/service": "web"}}, "status": {"phase": "Running"}}]
    health = health_of(workload, "Deployment", "api", pods, [])
    assert health.phase == "CrashLoopBackOff"
    assert health.restarts == 4
    assert health.pods == 2
    assert health.problem is not None and health.problem.pod == "api-2"


def test_health_of_a_missing_workload_says_so() -> None:
    assert health_of({}, "Deployment", "api", [], []).phase == "not found"


def test_events_with_microseconds_and_whole_seconds_compare_by_time() -> None:
    events = [{"involvedObject": {"kind": "Pod", "name": "api-1"}, "reason": "Scheduled", "message": "first",
               "lastTimestamp": "2026-01-01T00:00:01Z"},
              {"involvedObject": {"kind": "Pod", "name": "api-1"}, "reason": "FailedScheduling", "message": "later",
               "lastTimestamp": None, "eventTime": "2026-01-01T00:00:01.500000Z"}]
    assert last_event(events, "Deployment", "api", {"api-1"}) == "FailedScheduling: later"
