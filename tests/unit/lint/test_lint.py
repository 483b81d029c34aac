"""kubemap lint: each check fires on a minimal manifest that would not run or not behave, and is
quiet on the fixed one; the CLI's exit codes are 0 (clean), 1 (findings), 2 (unreadable)."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from converter.lint import CHECKS, lint

REPO = Path(__file__).resolve().parents[3]


def deployment(name: str = "db", image: str = "postgres:16", **pod: Any) -> dict[str, Any]:
    container = {"name": name, "image": image, **pod.pop("container", {})}
    return {"apiVersion": "apps/v1", "kind": pod.pop("kind", "Deployment"), "metadata": {"name": name},
            "spec": {**pod.pop("spec", {}), "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}, **pod.pop("template_meta", {})},
                                  "spec": {"containers": [container], **pod}}}}


def pvc(name: str, mode: str = "ReadWriteOnce") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {"accessModes": [mode], "resources": {"requests": {"storage": "1Gi"}}}}


def job(name: str = "migrate", **container: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"restartPolicy": "Never",
                                           "containers": [{"name": name, "image": "app:1", **container}]}}}}


def service(name: str, selector: str, *ports: dict[str, Any], kind: str = "ClusterIP") -> dict[str, Any]:
    spec: dict[str, Any] = {"selector": {"app": selector}, "ports": list(ports)}
    if kind != "ClusterIP":
        spec["type"] = kind
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


DATA = {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}
WAIT_FOR_MIGRATE = {"name": "wait", "image": "busybox", "command": ["/bin/sh", "-c", "until nc -z migrate 80; do sleep 2; done"]}

CASES = [
    pytest.param("KM-L-RWO-ROLLING",
                 [deployment(volumes=[DATA], container={"volumeMounts": [{"name": "data", "mountPath": "/d"}]}), pvc("data")],
                 [deployment(volumes=[DATA], spec={"strategy": {"type": "Recreate"}}), pvc("data")],
                 id="rwo-claim-rolling-update"),
    pytest.param("KM-L-RO-DATA",
                 [deployment(volumes=[{"name": "cfg", "configMap": {"name": "db-dir-data"}}],
                             container={"volumeMounts": [{"name": "cfg", "mountPath": "/var/lib/postgresql/data"}]})],
                 [deployment(volumes=[DATA], container={"volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}]})],
                 id="read-only-data-directory"),
    pytest.param("KM-L-NO-SHELL",
                 [deployment("gw", "gcr.io/distroless/static", initContainers=[
                     {"name": "wait", "image": "gcr.io/distroless/static", "command": ["/bin/sh", "-c", "true"]}])],
                 [deployment("gw", "gcr.io/distroless/static", initContainers=[
                     {"name": "wait", "image": "busybox:1.36", "command": ["/bin/sh", "-c", "true"]}])],
                 id="shell-in-a-shellless-image"),
    pytest.param("KM-L-JOB-SERVER", [job(ports=[{"containerPort": 80}])], [job()], id="job-with-ports"),
    pytest.param("KM-L-JOB-SERVER", [job(), service("migrate", "migrate", {"port": 80})], [job()],
                 id="job-behind-a-service"),
    pytest.param("KM-L-JOB-SERVER", [job(), deployment("api", "app:1", initContainers=[WAIT_FOR_MIGRATE])],
                 [job(), deployment("api", "app:1")], id="job-waited-for-like-a-server"),
    pytest.param("KM-L-LOOPBACK",
                 [deployment("api", "node:22", container={"args": ["node", "--inspect=0.0.0.0:9229", "app.js"]}),
                  service("api", "api", {"port": 9229, "targetPort": 9229}, kind="NodePort")],
                 [deployment("api", "node:22", container={"args": ["node", "--inspect=0.0.0.0:9229", "app.js"]}),
                  service("api", "api", {"port": 9229, "targetPort": 9229})],
                 id="debugger-port-exposed"),
    pytest.param("KM-L-NODEPORT",
                 [service("a", "a", {"port": 80, "nodePort": 30080}, kind="NodePort"),
                  service("b", "b", {"port": 81, "nodePort": 30080}, kind="NodePort")],
                 [service("a", "a", {"port": 80, "nodePort": 30080}, kind="NodePort"),
                  service("b", "b", {"port": 81}, kind="NodePort")],
                 id="duplicate-node-ports"),
    pytest.param("KM-L-HOSTPATH",
                 [deployment("agent", "node-exporter", volumes=[{"name": "proc", "hostPath": {"path": "/proc"}}])],
                 [deployment("agent", "node-exporter", volumes=[{"name": "proc", "hostPath": {"path": "/proc"}}],
                             template_meta={"annotations": {"lint.kubemap.io/accept-host-paths": "/proc"}})],
                 id="host-path"),
    pytest.param("KM-L-DNS-NONE", [deployment("app", "app:1", dnsPolicy="None", dnsConfig={"nameservers": ["127.0.0.11"]})],
                 [deployment("app", "app:1", dnsConfig={"nameservers": ["9.9.9.9"]})], id="dns-none-without-resolver"),
]


@pytest.mark.parametrize(("code", "bad", "good"), CASES)
def test_check_fires_on_the_bad_manifest_only(code: str, bad: list[dict[str, Any]], good: list[dict[str, Any]]) -> None:
    assert code in [f.code for f in lint(copy.deepcopy(bad))]
    assert [f.code for f in lint(copy.deepcopy(good))] == []


def test_every_check_has_a_case() -> None:
    codes = {p.values[0] for p in CASES}
    assert len(codes) == len(CHECKS)


def test_images_known_from_the_conversion_count_as_shellless() -> None:
    manifest = [deployment("gw", "agents-gateway:latest", initContainers=[
        {"name": "wait", "image": "agents-gateway:latest", "command": ["/bin/sh", "-c", "true"]}])]
    assert lint(manifest) == []
    assert [f.code for f in lint(manifest, {"agents-gateway:latest": "FROM scratch"})] == ["KM-L-NO-SHELL"]


def _kubemap(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *args], capture_output=True, text=True, cwd=REPO,
                          input=stdin, timeout=120)


def test_cli_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump_all([service("a", "a", {"port": 80, "nodePort": 30080}, kind="NodePort"),
                                       service("b", "b", {"port": 81, "nodePort": 30080}, kind="NodePort")]))
    result = _kubemap("lint", str(bad))
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("warning KM-L-NODEPORT Service/b .spec.ports[0].nodePort")
    assert _kubemap("lint", str(REPO / "k8s")).returncode == 0  # the committed output of make k8s
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Service\nmetadata: {name: [\n")
    result = _kubemap("lint", str(broken))
    assert result.returncode == 2 and "broken.yaml" in result.stderr and "Traceback" not in result.stderr
    assert _kubemap("lint", "-", stdin=bad.read_text()).returncode == 1


def test_help_lists_every_check() -> None:
    codes = {(check.__doc__ or "").split(":")[0].strip() for check in CHECKS}
    helped = _kubemap("lint", "--help").stdout
    assert codes and all(code in helped for code in codes), codes
