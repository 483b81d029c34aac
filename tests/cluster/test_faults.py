"""An apply interrupted by the API server dying (SIGKILL, no graceful shutdown) leaves a
consistent cluster, and running it again converges."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from kubernetes import client

from tests.cluster.objects import config_map, write_kustomization

MANY = 1500


def count_config_maps(kube: client.ApiClient, namespace: str) -> int:
    items = client.CoreV1Api(kube).list_namespaced_config_map(namespace, label_selector="kubemap.io/project=bulk").items
    return len(items)


def test_api_server_killed_mid_apply_then_rerun_converges(kubemap, kube, control_plane, namespace, tmp_path: Path) -> None:
    objects = [config_map("bulk", f"svc-{i:04d}", {"INDEX": str(i), "PAD": "x" * 200}) for i in range(MANY)]
    folder = write_kustomization(tmp_path / "k8s", objects)
    command = [sys.executable, "-m", "converter", "apply", "-k", str(folder), "-n", namespace,
               "--kubeconfig", str(control_plane.kubeconfig)]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while count_config_maps(kube, namespace) < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert running.poll() is None, "apply finished before the API server could be killed"
        control_plane.kill_apiserver()
        _, stderr = running.communicate(timeout=120)
    finally:
        if "kube-apiserver" not in control_plane.processes:
            control_plane.start_apiserver()
    assert running.returncode == 2, stderr
    assert "cannot reach the API server" in stderr and "Traceback" not in stderr
    partial = count_config_maps(kube, namespace)
    assert 100 <= partial < MANY

    rerun = kubemap("apply", "-k", folder, "-n", namespace)

    assert rerun.returncode == 0, rerun.stderr
    assert count_config_maps(kube, namespace) == MANY
    live = {c.metadata.name: c.data["INDEX"] for c in
            client.CoreV1Api(kube).list_namespaced_config_map(namespace, label_selector="kubemap.io/project=bulk").items}
    assert live == {f"svc-{i:04d}-env": str(i) for i in range(MANY)}
    assert kubemap("diff", "-k", folder, "-n", namespace).returncode == 0  # converged: nothing left to do


def test_ctrl_c_mid_apply_exits_130_and_rerun_converges(kubemap, kube, control_plane, namespace, tmp_path: Path) -> None:
    import signal

    objects = [config_map("bulk", f"svc-{i:04d}", {"INDEX": str(i)}) for i in range(MANY)]
    folder = write_kustomization(tmp_path / "k8s", objects)
    command = [sys.executable, "-m", "converter", "apply", "-k", str(folder), "-n", namespace,
               "--kubeconfig", str(control_plane.kubeconfig)]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while count_config_maps(kube, namespace) < 100 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.poll() is None, "apply finished before it could be interrupted"
    running.send_signal(signal.SIGINT)
    _, stderr = running.communicate(timeout=60)

    assert running.returncode == 130, stderr
    assert "interrupted" in stderr and "re-run the same command" in stderr and "Traceback" not in stderr
    assert count_config_maps(kube, namespace) < MANY

    rerun = kubemap("apply", "-k", folder, "-n", namespace)
    assert rerun.returncode == 0, rerun.stderr
    assert count_config_maps(kube, namespace) == MANY
