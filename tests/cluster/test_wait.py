"""`kubemap apply --wait` with kwok's fake nodes: Pods really go through scheduling and become
Ready (kube-controller-manager + kube-scheduler + kwok), Jobs complete."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kubernetes import client

from tests.cluster.objects import job, web_service, write_kustomization


def test_wait_returns_when_pods_are_ready(kubemap, namespace, tmp_path: Path) -> None:
    objects = web_service("shop", "api", replicas=2) + web_service("shop", "web") + [job("shop", "migrate")]
    folder = write_kustomization(tmp_path / "k8s", objects)

    result = kubemap("apply", "-k", folder, "-n", namespace, "--wait", "--timeout", "600s")

    assert result.returncode == 0, result.stderr
    assert "Deployment/api: 2/2 ready" in result.stderr
    assert "Deployment/web: 1/1 ready" in result.stderr
    assert "Job/migrate: 1/1 completions done" in result.stderr
    assert "all 3 workloads ready" in result.stderr


# How long the tests give the control plane (and kwok) to reach a state they wait for: generous,
# since CI machines are 2 shared cores and often loaded; a state reached early costs nothing.
PATIENCE = 180.0


def wait_until(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {PATIENCE:.0f}s waiting for {what}"
        time.sleep(0.2)


def pods_of(kube, namespace: str, service: str) -> list:
    return client.CoreV1Api(kube).list_namespaced_pod(namespace, label_selector=f"kubemap.io/service={service}").items


def deployment_ready(kube, namespace: str, name: str) -> bool:
    status = client.AppsV1Api(kube).read_namespaced_deployment_status(name, namespace).status
    return (status.ready_replicas or 0) >= 1


def unschedulable(pod) -> bool:
    return any(c.type == "PodScheduled" and c.status == "False" and c.reason == "Unschedulable"
               for c in pod.status.conditions or [])


def test_wait_times_out_naming_the_stuck_workload_and_why(kubemap, kube, namespace, tmp_path: Path) -> None:
    # kwok marks a Pod Running/Ready whatever its image (no image is ever pulled), so a wrong
    # image cannot get stuck here; a nodeSelector no node has is what the scheduler honours.
    objects = web_service("shop", "api") + web_service("shop", "stuck", node_selector={"disk": "nvme"})
    folder = write_kustomization(tmp_path / "k8s", objects)
    assert kubemap("apply", "-k", folder, "-n", namespace).returncode == 0
    # The state the timeout must report, reached first (however slow the machine): api ready,
    # stuck's Pod refused by the scheduler. Then --wait has nothing left to wait for but stuck.
    wait_until("api ready and stuck's Pod unschedulable", lambda: deployment_ready(kube, namespace, "api") and any(
        unschedulable(pod) for pod in pods_of(kube, namespace, "stuck")))

    result = kubemap("apply", "-k", folder, "-n", namespace, "--wait", "--timeout", "5s")

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    error = result.stderr[result.stderr.index("error:"):]
    assert "timed out after 5s waiting for 1 workload(s)" in error
    assert "Deployment/stuck 0/1 ready" in error
    assert "Unschedulable" in error and "node affinity/selector" in error
    assert "Deployment/api" not in error


def test_wait_times_out_naming_an_image_pull_error(kubemap, kube, control_plane, namespace, tmp_path: Path) -> None:
    """kwok cannot fail an image pull, so this Pod is bound to a node kwok does not manage and
    the test plays that node's kubelet: it reports ImagePullBackOff in the Pod status the way a
    kubelet does, through the real API server. The status is in place before --wait starts, so
    the timeout reports it however slow the machine is."""
    node = "kubelet-played-by-test"
    control_plane.add_node(node, fake=False)
    objects = web_service("shop", "badimage", image="registry.local/does-not-exist:1.0")
    objects[-1]["spec"]["template"]["spec"]["nodeName"] = node
    folder = write_kustomization(tmp_path / "k8s", objects)
    assert kubemap("apply", "-k", folder, "-n", namespace).returncode == 0
    wait_until("the Deployment's Pod", lambda: bool(pods_of(kube, namespace, "badimage")))
    pod = pods_of(kube, namespace, "badimage")[0]
    message = 'Back-off pulling image "registry.local/does-not-exist:1.0"'
    client.CoreV1Api(kube).patch_namespaced_pod_status(pod.metadata.name, namespace, {"status": {
        "phase": "Pending",
        "conditions": [{"type": "PodScheduled", "status": "True"},
                       {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": [{"name": "badimage", "image": "registry.local/does-not-exist:1.0", "imageID": "",
                               "ready": False, "restartCount": 0,
                               "state": {"waiting": {"reason": "ImagePullBackOff", "message": message}}}],
    }})

    result = kubemap("apply", "-k", folder, "-n", namespace, "--wait", "--timeout", "5s")

    assert result.returncode == 2, result.stderr
    error = result.stderr[result.stderr.index("error:"):]
    assert "Deployment/badimage 0/1 ready" in error
    assert f"container badimage: ImagePullBackOff ({message})" in error


def test_wait_stops_at_once_when_a_job_fails(kubemap, kube, control_plane, namespace, tmp_path: Path) -> None:
    """A Job whose Pod fails (reported by the test playing the node's kubelet, as above) is not
    waited for until the timeout: --wait fails with the Job's reason as soon as it is Failed. The
    timeout is far longer than the test lets the command run, so only that can end it in time."""
    node = "kubelet-played-by-test-2"
    control_plane.add_node(node, fake=False)
    failing = job("shop", "migrate")
    failing["spec"]["backoffLimit"] = 0
    failing["spec"]["template"]["spec"]["nodeName"] = node
    folder = write_kustomization(tmp_path / "k8s", [failing])
    command = [sys.executable, "-m", "converter", "apply", "-k", str(folder), "-n", namespace,
               "--wait", "--timeout", "3600s", "--kubeconfig", str(control_plane.kubeconfig)]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until("the Job's Pod", lambda: bool(pods_of(kube, namespace, "migrate")))
        pod = pods_of(kube, namespace, "migrate")[0]
        client.CoreV1Api(kube).patch_namespaced_pod_status(pod.metadata.name, namespace, {"status": {
            "phase": "Failed",
            "containerStatuses": [{"name": "migrate", "image": "registry.local/migrate:1.0", "imageID": "",
                                   "ready": False, "restartCount": 0,
                                   "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}],
        }})
        _, stderr = running.communicate(timeout=600)
    finally:
        if running.poll() is None:
            running.kill()

    assert running.returncode == 2, stderr
    assert "Job/migrate failed: BackoffLimitExceeded" in stderr
    assert "timed out" not in stderr
