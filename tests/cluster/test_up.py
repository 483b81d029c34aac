"""`kubemap up` / `status` / `down` with --context against the test control plane (a real API
server, controller-manager and scheduler; kwok's fake nodes make Pods Running and Ready). With
--context nothing kind-specific happens, so these need no container engine. Where a Pod must
fail in a way kwok cannot show (an image that cannot be pulled), the Pod is bound to a node no
kwok manages and the test plays that node's kubelet, as tests/cluster/test_wait.py does."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

from kubernetes import client

from tests.cluster.objects import web_service, write_kustomization
from tests.cluster.test_wait import PATIENCE, pods_of, unschedulable, wait_until

REPO = Path(__file__).resolve().parents[2]


def compose_project(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "compose.yaml").write_text(textwrap.dedent(body))
    return folder / "compose.yaml"


WEB_AND_WORKER = """
    name: shop
    services:
      web:
        image: registry.local/web:1.0
        ports: ["18080:80"]
      worker:
        image: registry.local/worker:1.0
        deploy:
          replicas: 2
    """


def namespace_gone(kube, name: str) -> bool:
    try:
        client.CoreV1Api(kube).read_namespace(name)
    except client.ApiException as error:
        return error.status == 404
    return False


def unique_namespace(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def test_up_applies_waits_shows_each_service_and_prints_the_urls(kubemap, kube, control_plane, tmp_path) -> None:
    compose = compose_project(tmp_path / "shop", WEB_AND_WORKER)
    namespace = unique_namespace("up-ready")
    try:
        result = kubemap("up", "-f", compose, "--context", "kubemap-test", "-n", namespace, "--timeout", "600s")

        assert result.returncode == 0, result.stderr
        # nothing kind-specific with --context, and the user is told the images must be pullable
        assert "kubemap loads no images into this cluster; it pulls the 2 image(s) itself" in result.stderr
        for kind_step in ("kind provider", "creating the kind cluster", "loading", "node image"):
            assert kind_step not in result.stderr
        # the per-service lines (not a terminal: one line per change), the end state of each
        assert re.search(r"^\s+web\s+Deployment/web\s+Running\s+1/1 ✓", result.stderr, re.M), result.stderr
        assert re.search(r"^\s+worker\s+Deployment/worker\s+Running\s+2/2 ✓", result.stderr, re.M), result.stderr
        assert f"up: shop in namespace {namespace} (context kubemap-test)" in result.stderr
        # 18080 is published: with --context the API server picked the nodePort; the URL is a
        # node's address and that port
        node_port = client.CoreV1Api(kube).read_namespaced_service("web", namespace).spec.ports[0].node_port
        assert node_port, "web's Service should be a NodePort Service"
        assert re.search(rf"^\s+web\s+http://\S+:{node_port}\b", result.stdout, re.M), result.stdout

        status = kubemap("status", "-f", compose, "--context", "kubemap-test", "-n", namespace)
        assert status.returncode == 0, status.stderr
        assert re.search(r"^\s*web\s+Deployment/web\s+Running\s+1/1 ✓", status.stdout, re.M), status.stdout
        assert f"2/2 workload(s) ready in namespace {namespace}" in status.stderr

        down = kubemap("down", "-f", compose, "--context", "kubemap-test", "-n", namespace, "--timeout", "600s")
        assert down.returncode == 0, down.stderr
        assert f"namespace {namespace} deleted" in down.stderr
        # --wait (the default) returned only once the namespace was gone
        assert namespace_gone(kube, namespace)
    finally:
        kubemap("down", "-f", compose, "--context", "kubemap-test", "-n", namespace, "--no-wait")


def test_up_gives_up_naming_the_service_whose_image_cannot_be_pulled(kubemap, kube, control_plane, namespace,
                                                                    tmp_path) -> None:
    """The Pod is bound to a node the test plays the kubelet of; the test reports
    ImagePullBackOff, and `up` (with an hour to wait) stops on its own: waiting cannot mend it."""
    node = f"kubelet-played-by-up-test-{uuid.uuid4().hex[:4]}"
    control_plane.add_node(node, fake=False)
    image = "registry.local/does-not-exist:1.0"
    objects = web_service("shop", "badimage", image=image)
    objects[-1]["spec"]["template"]["spec"]["nodeName"] = node
    folder = write_kustomization(tmp_path / "k8s", objects)
    command = [sys.executable, "-m", "converter", "up", "-k", str(folder), "--context", "kubemap-test",
               "-n", namespace, "--timeout", "3600s", "--kubeconfig", str(control_plane.kubeconfig)]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        wait_until("the Deployment's Pod", lambda: bool(pods_of(kube, namespace, "badimage")))
        pod = pods_of(kube, namespace, "badimage")[0]
        message = f'Back-off pulling image "{image}"'
        client.CoreV1Api(kube).patch_namespaced_pod_status(pod.metadata.name, namespace, {"status": {
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "True"},
                           {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
            "containerStatuses": [{"name": "badimage", "image": image, "imageID": "", "ready": False,
                                   "restartCount": 0,
                                   "state": {"waiting": {"reason": "ImagePullBackOff", "message": message}}}],
        }})
        _, stderr = running.communicate(timeout=600)
    finally:
        if running.poll() is None:
            running.kill()

    assert running.returncode == 2, stderr
    assert "Traceback" not in stderr
    error = stderr[stderr.index("error:"):]
    assert "gave up waiting" in error and "timed out" not in error
    assert "service badimage: Deployment/badimage 0/1 ready" in error
    assert f"container badimage: ImagePullBackOff ({message}); image {image} cannot be pulled" in error
    assert f"the cluster cannot pull {image}" in error  # the hint for a cluster given by --context
    # the live lines showed the phase before it gave up
    assert re.search(r"^\s+badimage\s+Deployment/badimage\s+ImagePullBackOff\s+0/1", stderr, re.M), stderr


def test_up_times_out_naming_the_pending_service_and_the_schedulers_message(kubemap, kube, tmp_path) -> None:
    compose = compose_project(tmp_path / "big", """
        name: big
        services:
          api:
            image: registry.local/api:1.0
          hungry:
            image: registry.local/hungry:1.0
            deploy:
              resources:
                reservations:
                  memory: 900Gi
        """)
    namespace = unique_namespace("up-pending")
    try:
        applied = kubemap("up", "-f", compose, "--context", "kubemap-test", "-n", namespace, "--no-wait")
        assert applied.returncode == 0, applied.stderr
        # The state the timeout must report, reached first however slow the machine: api ready,
        # hungry's Pod refused by the scheduler. Then a short --timeout has only hungry to report.
        apps = client.AppsV1Api(kube)
        wait_until("api ready and hungry unschedulable", lambda: (
            (apps.read_namespaced_deployment_status("api", namespace).status.ready_replicas or 0) >= 1
            and any(unschedulable(p) for p in pods_of(kube, namespace, "hungry"))))

        result = kubemap("up", "-f", compose, "--context", "kubemap-test", "-n", namespace, "--timeout", "5s")

        assert result.returncode == 2, result.stderr
        error = result.stderr[result.stderr.index("error:"):]
        assert "timed out after 5s waiting for 1 workload(s)" in error
        assert "service hungry: Deployment/hungry 0/1 ready" in error
        assert "Pending: PodScheduled=False: Unschedulable" in error and "Insufficient memory" in error
        assert "service api" not in error
        assert "no node can take the Pod" in error  # the hint

        status = kubemap("status", "-f", compose, "--context", "kubemap-test", "-n", namespace)
        assert status.returncode == 1, status.stderr
        assert re.search(r"^\s*hungry\s+Deployment/hungry\s+Pending\s+0/1", status.stdout, re.M), status.stdout
        assert "service hungry: pod hungry-" in status.stderr and "Insufficient memory" in status.stderr
    finally:
        kubemap("down", "-f", compose, "--context", "kubemap-test", "-n", namespace, "--no-wait")


def test_down_in_a_namespace_kubemap_did_not_create_removes_only_the_projects_objects(
        kubemap, kube, namespace, tmp_path) -> None:
    compose = compose_project(tmp_path / "shop", WEB_AND_WORKER)
    core = client.CoreV1Api(kube)
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "not-kubemaps"}, "data": {"a": "b"}})
    assert kubemap("up", "-f", compose, "--context", "kubemap-test", "-n", namespace, "--timeout", "600s") \
        .returncode == 0

    down = kubemap("down", "-f", compose, "--context", "kubemap-test", "-n", namespace, "--timeout", "600s")

    assert down.returncode == 0, down.stderr
    assert f"object(s) of shop deleted from namespace {namespace} (kept: kubemap did not create it)" in down.stderr
    assert not namespace_gone(kube, namespace)
    assert core.read_namespaced_config_map("not-kubemaps", namespace).data == {"a": "b"}
    left = core.list_namespaced_service(namespace, label_selector="kubemap.io/project=shop").items
    assert left == []
    assert client.AppsV1Api(kube).list_namespaced_deployment(namespace).items == []
    assert core.list_namespaced_pod(namespace, label_selector="kubemap.io/project=shop").items == []


def test_down_with_cluster_and_context_is_refused(kubemap, tmp_path) -> None:
    compose = compose_project(tmp_path / "shop", WEB_AND_WORKER)
    result = kubemap("down", "-f", compose, "--context", "kubemap-test", "--cluster")
    assert result.returncode == 2
    assert "--cluster deletes a kind cluster by name" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_during_up_exits_130_and_running_it_again_converges(kubemap, kube, control_plane, namespace,
                                                                   tmp_path) -> None:
    pool = f"pool-{uuid.uuid4().hex[:6]}"
    objects = web_service("shop", "api") + web_service("shop", "later", node_selector={"kubemap.io/test-pool": pool})
    folder = write_kustomization(tmp_path / "k8s", objects)
    command = [sys.executable, "-m", "converter", "up", "-k", str(folder), "--context", "kubemap-test",
               "-n", namespace, "--timeout", "3600s", "--kubeconfig", str(control_plane.kubeconfig)]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        # `later` cannot be scheduled (no node has its pool label): up is waiting for it.
        wait_until("later's Pod unschedulable", lambda: any(unschedulable(p) for p in pods_of(kube, namespace, "later")))
        running.send_signal(signal.SIGINT)
        _, stderr = running.communicate(timeout=PATIENCE)
    finally:
        if running.poll() is None:
            running.kill()
    assert running.returncode == 130, stderr
    assert "interrupted: what was done so far stays" in stderr
    assert "Traceback" not in stderr

    # A node with the pool's label arrives; the same command now converges.
    node = f"kwok-{pool}"
    control_plane.add_node(node)
    client.CoreV1Api(kube).patch_node(node, {"metadata": {"labels": {"kubemap.io/test-pool": pool}}})
    again = kubemap("up", "-k", folder, "--context", "kubemap-test", "-n", namespace, "--timeout", "600s")
    assert again.returncode == 0, again.stderr
    assert re.search(r"^\s+later\s+Deployment/later\s+Running\s+1/1 ✓", again.stderr, re.M), again.stderr
