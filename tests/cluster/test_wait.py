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
