"""`kubemap apply --wait` with kwok's fake nodes: Pods really go through scheduling and become
Ready (kube-controller-manager + kube-scheduler + kwok), Jobs complete."""

from __future__ import annotations

from pathlib import Path

from tests.cluster.objects import job, web_service, write_kustomization


def test_wait_returns_when_pods_are_ready(kubemap, namespace, tmp_path: Path) -> None:
    objects = web_service("shop", "api", replicas=2) + web_service("shop", "web") + [job("shop", "migrate")]
    folder = write_kustomization(tmp_path / "k8s", objects)

    result = kubemap("apply", "-k", folder, "-n", namespace, "--wait", "--timeout", "120s")

    assert result.returncode == 0, result.stderr
    assert "Deployment/api: 2/2 ready" in result.stderr
    assert "Deployment/web: 1/1 ready" in result.stderr
    assert "Job/migrate: 1/1 completions done" in result.stderr
    assert "all 3 workloads ready" in result.stderr


def test_wait_times_out_naming_the_stuck_workload_and_why(kubemap, namespace, tmp_path: Path) -> None:
    # kwok marks a Pod Running/Ready whatever its image (no image is ever pulled), so a wrong
    # image cannot get stuck here; a nodeSelector no node has is what the scheduler honours.
    objects = web_service("shop", "api") + web_service("shop", "stuck", node_selector={"disk": "nvme"})
    folder = write_kustomization(tmp_path / "k8s", objects)

    result = kubemap("apply", "-k", folder, "-n", namespace, "--wait", "--timeout", "20s")

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    error = result.stderr[result.stderr.index("error:"):]
    assert "timed out after 20s waiting for 1 workload(s)" in error
    assert "Deployment/stuck 0/1 ready" in error
    assert "Unschedulable" in error and "node affinity/selector" in error
    assert "Deployment/api" not in error


def test_wait_times_out_naming_an_image_pull_error(kubemap, kube, control_plane, namespace, tmp_path: Path) -> None:
    """kwok cannot fail an image pull, so this Pod is bound to a node kwok does not manage and
    the test plays that node's kubelet: it reports ImagePullBackOff in the Pod status the way a
    kubelet does, through the real API server."""
    import subprocess
    import sys
    import time

    from kubernetes import client

    node = "kubelet-played-by-test"
    control_plane.add_node(node, fake=False)
    objects = web_service("shop", "badimage", image="registry.local/does-not-exist:1.0")
    objects[-1]["spec"]["template"]["spec"]["nodeName"] = node
    folder = write_kustomization(tmp_path / "k8s", objects)
    command = [sys.executable, "-m", "converter", "apply", "-k", str(folder), "-n", namespace,
               "--wait", "--timeout", "25s", "--kubeconfig", str(control_plane.kubeconfig)]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    core = client.CoreV1Api(kube)
    deadline = time.monotonic() + 20
    pods = []
    while not pods and time.monotonic() < deadline:
        pods = core.list_namespaced_pod(namespace, label_selector="kubemap.io/service=badimage").items
        time.sleep(0.2)
    assert pods, "the Deployment made no Pod"
    message = 'Back-off pulling image "registry.local/does-not-exist:1.0"'
    core.patch_namespaced_pod_status(pods[0].metadata.name, namespace, {"status": {
        "phase": "Pending",
        "conditions": [{"type": "PodScheduled", "status": "True"},
                       {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": [{"name": "badimage", "image": "registry.local/does-not-exist:1.0", "imageID": "",
                               "ready": False, "restartCount": 0,
                               "state": {"waiting": {"reason": "ImagePullBackOff", "message": message}}}],
    }})
    _, stderr = running.communicate(timeout=120)

    assert running.returncode == 2, stderr
    error = stderr[stderr.index("error:"):]
    assert "Deployment/badimage 0/1 ready" in error
    assert f"container badimage: ImagePullBackOff ({message})" in error


def test_wait_stops_at_once_when_a_job_fails(kubemap, kube, control_plane, namespace, tmp_path: Path) -> None:
    """A Job whose Pod fails (reported by the test playing the node's kubelet, as above) is not
    waited for until the timeout: --wait fails with the Job's reason as soon as it is Failed."""
    import subprocess
    import sys
    import time

    from kubernetes import client

    node = "kubelet-played-by-test-2"
    control_plane.add_node(node, fake=False)
    failing = job("shop", "migrate")
    failing["spec"]["backoffLimit"] = 0
    failing["spec"]["template"]["spec"]["nodeName"] = node
    folder = write_kustomization(tmp_path / "k8s", [failing])
    command = [sys.executable, "-m", "converter", "apply", "-k", str(folder), "-n", namespace,
               "--wait", "--timeout", "120s", "--kubeconfig", str(control_plane.kubeconfig)]
    started = time.monotonic()
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    core = client.CoreV1Api(kube)
    pods = []
    while not pods and time.monotonic() < started + 30:
        pods = core.list_namespaced_pod(namespace, label_selector="kubemap.io/service=migrate").items
        time.sleep(0.2)
    assert pods, "the Job made no Pod"
    core.patch_namespaced_pod_status(pods[0].metadata.name, namespace, {"status": {
        "phase": "Failed",
        "containerStatuses": [{"name": "migrate", "image": "registry.local/migrate:1.0", "imageID": "",
                               "ready": False, "restartCount": 0,
                               "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}],
    }})
    _, stderr = running.communicate(timeout=120)

    assert running.returncode == 2, stderr
    assert "Job/migrate failed: BackoffLimitExceeded" in stderr
    assert time.monotonic() - started < 100  # well before the 120 s timeout
