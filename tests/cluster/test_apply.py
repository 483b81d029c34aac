"""`kubemap apply` against a real API server: exact objects, idempotence, dry run, prune,
conflicts, and the one-line errors for a missing or unreachable or forbidden cluster."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kubernetes import client

from tests.cluster.objects import (
    PROJECT_LABEL,
    config_map,
    deployment,
    job,
    secret,
    service,
    web_service,
    write_kustomization,
)


def live_objects(kube: client.ApiClient, namespace: str, selector: str | None = None) -> dict[str, str]:
    """{Kind/name: resourceVersion} of the kinds the tests use (what a user would list)."""
    core, apps = client.CoreV1Api(kube), client.AppsV1Api(kube)
    found: dict[str, str] = {}
    listings = [
        ("ConfigMap", core.list_namespaced_config_map), ("Secret", core.list_namespaced_secret),
        ("Service", core.list_namespaced_service), ("Deployment", apps.list_namespaced_deployment),
    ]
    for kind, list_call in listings:
        for item in list_call(namespace, label_selector=selector).items:
            if kind == "ConfigMap" and item.metadata.name == "kube-root-ca.crt":
                continue  # made by kube-controller-manager in every namespace
            found[f"{kind}/{item.metadata.name}"] = item.metadata.resource_version
    return found


def kubemap_writes(kube: client.ApiClient, namespace: str) -> dict[str, object]:
    """What only a write by kubemap can change: resourceVersion of objects no controller writes,
    and for Deployments (whose status controllers keep updating) the generation and kubemap's
    own managedFields entry (its time moves on any write that changes something)."""
    state: dict[str, object] = dict(live_objects(kube, namespace))
    for item in client.AppsV1Api(kube).list_namespaced_deployment(namespace).items:
        entry = [(f.time, str(f.fields_v1)) for f in item.metadata.managed_fields if f.manager == "kubemap"]
        state[f"Deployment/{item.metadata.name}"] = (item.metadata.generation, entry)
    return state


def names(objects: list[dict[str, Any]]) -> set[str]:
    return {f"{o['kind']}/{o['metadata']['name']}" for o in objects}


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in: {result.stderr}"


def test_apply_creates_exactly_the_given_objects(kubemap, kube, namespace, tmp_path: Path) -> None:
    objects = web_service("shop", "api") + web_service("shop", "web") + [secret("shop", "api", {"TOKEN": "s3cret"})]
    folder = write_kustomization(tmp_path / "k8s", objects)

    result = kubemap("apply", "-k", folder, "-n", namespace)

    assert result.returncode == 0, result.stderr
    assert set(live_objects(kube, namespace)) == names(objects)
    assert "Deployment/api created" in result.stdout
    deployment_live = client.AppsV1Api(kube).read_namespaced_deployment("api", namespace)
    managers = {(f.manager, f.operation) for f in deployment_live.metadata.managed_fields}
    assert ("kubemap", "Apply") in managers
    secret_live = client.CoreV1Api(kube).read_namespaced_secret("api-secret", namespace)
    assert secret_live.data == {"TOKEN": "czNjcmV0"}  # stringData stored as base64 data


def test_apply_orders_dependencies_before_workloads(kubemap, namespace, tmp_path: Path) -> None:
    objects = list(reversed(web_service("shop", "api")))  # Deployment first on disk
    result = kubemap("apply", "-k", write_kustomization(tmp_path / "k8s", objects), "-n", namespace)
    assert result.returncode == 0, result.stderr
    order = [line.split()[0] for line in result.stdout.splitlines()]
    assert order == ["ConfigMap/api-env", "Service/api", "Deployment/api"]


def test_second_apply_changes_nothing(kubemap, kube, namespace, tmp_path: Path) -> None:
    objects = web_service("shop", "api") + web_service("shop", "web") + [secret("shop", "api", {"K": "v"})]
    folder = write_kustomization(tmp_path / "k8s", objects)
    assert kubemap("apply", "-k", folder, "-n", namespace).returncode == 0
    before = kubemap_writes(kube, namespace)
    time.sleep(1.1)  # managedFields times have one-second resolution

    again = kubemap("apply", "-k", folder, "-n", namespace)

    assert again.returncode == 0, again.stderr
    assert kubemap_writes(kube, namespace) == before  # nothing was written


def test_apply_creates_a_missing_namespace(kubemap, kube, tmp_path: Path) -> None:
    import uuid

    fresh = f"created-by-apply-{uuid.uuid4().hex[:6]}"
    result = kubemap("apply", "-k", write_kustomization(tmp_path / "k8s", web_service("shop", "api")), "-n", fresh)
    try:
        assert result.returncode == 0, result.stderr
        assert "Namespace/" + fresh + " namespace created" in result.stdout
        labels = client.CoreV1Api(kube).read_namespace(fresh).metadata.labels
        assert labels[PROJECT_LABEL] == "shop"
        assert set(live_objects(kube, fresh)) == names(web_service("shop", "api"))
    finally:
        client.CoreV1Api(kube).delete_namespace(fresh)


def test_server_dry_run_accepts_valid_objects_and_stores_nothing(kubemap, kube, namespace, tmp_path: Path) -> None:
    folder = write_kustomization(tmp_path / "k8s", web_service("shop", "api"))
    result = kubemap("apply", "-k", folder, "-n", namespace, "--dry-run=server")
    assert result.returncode == 0, result.stderr
    assert "Deployment/api created (server dry run)" in result.stdout
    assert live_objects(kube, namespace) == {}


def test_server_dry_run_reports_every_invalid_object(kubemap, kube, namespace, tmp_path: Path) -> None:
    bad_port = service("shop", "db", port=99999)
    bad_name = deployment("shop", "worker")
    bad_name["spec"]["template"]["spec"]["containers"][0]["name"] = "Not_A_Name"
    objects = [bad_port, bad_name, config_map("shop", "fine")]
    result = kubemap("apply", "-k", write_kustomization(tmp_path / "k8s", objects), "-n", namespace,
                     "--dry-run=server")
    assert_one_line_error(result, "rejected 2 object(s)", "Service/db is invalid", "spec.ports[0].port",
                          "Deployment/worker is invalid", "spec.template.spec.containers[0].name")
    assert live_objects(kube, namespace) == {}


def test_prune_deletes_exactly_the_removed_service(kubemap, kube, namespace, tmp_path: Path) -> None:
    everything = web_service("shop", "api") + web_service("shop", "web") + web_service("shop", "worker")
    folder = tmp_path / "k8s"
    assert kubemap("apply", "-k", write_kustomization(folder, everything), "-n", namespace).returncode == 0
    # Same label, but not applied by kubemap (another tool copied it): must survive the prune.
    client.CoreV1Api(kube).create_namespaced_config_map(namespace, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="hand-made", labels={PROJECT_LABEL: "shop"})))
    # Another project in the same namespace: must survive too.
    assert kubemap("apply", "-k", write_kustomization(tmp_path / "other", web_service("other", "x")),
                   "-n", namespace).returncode == 0
    before = kubemap_writes(kube, namespace)
    time.sleep(1.1)  # managedFields times have one-second resolution

    kept = web_service("shop", "api") + web_service("shop", "web")
    result = kubemap("apply", "-k", write_kustomization(folder, kept), "-n", namespace, "--prune")

    assert result.returncode == 0, result.stderr
    removed = names(web_service("shop", "worker"))
    after = kubemap_writes(kube, namespace)
    assert set(after) == set(before) - removed
    assert {k: before[k] for k in after} == after  # nothing else was touched
    for name in removed:
        assert f"{name} pruned" in result.stdout


def test_prune_dry_run_lists_but_keeps(kubemap, kube, namespace, tmp_path: Path) -> None:
    folder = tmp_path / "k8s"
    everything = web_service("shop", "api") + web_service("shop", "worker")
    assert kubemap("apply", "-k", write_kustomization(folder, everything), "-n", namespace).returncode == 0
    result = kubemap("apply", "-k", write_kustomization(folder, web_service("shop", "api")), "-n", namespace,
                     "--prune", "--dry-run=server")
    assert result.returncode == 0, result.stderr
    assert "Deployment/worker pruned (server dry run)" in result.stdout
    assert set(live_objects(kube, namespace)) == names(everything)


def test_conflict_with_another_manager_is_reported_and_can_be_forced(kubemap, kube, namespace, tmp_path: Path) -> None:
    folder = write_kustomization(tmp_path / "k8s", web_service("shop", "api"))
    assert kubemap("apply", "-k", folder, "-n", namespace).returncode == 0
    # Someone scales the Deployment with their own server-side apply.
    client.AppsV1Api(kube).patch_namespaced_deployment(
        "api", namespace, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
                           "spec": {"replicas": 3}},
        field_manager="ops-tool", force=True, _content_type="application/apply-patch+yaml")
    write_kustomization(folder, web_service("shop", "api", replicas=2))

    refused = kubemap("apply", "-k", folder, "-n", namespace)

    assert_one_line_error(refused, "Deployment/api", "ops-tool", ".spec.replicas", "--force-conflicts")
    assert client.AppsV1Api(kube).read_namespaced_deployment("api", namespace).spec.replicas == 3

    forced = kubemap("apply", "-k", folder, "-n", namespace, "--force-conflicts")

    assert forced.returncode == 0, forced.stderr
    live = client.AppsV1Api(kube).read_namespaced_deployment("api", namespace)
    assert live.spec.replicas == 2
    owners = [f.manager for f in live.metadata.managed_fields if "f:replicas" in (f.fields_v1 or {}).get("f:spec", {})]
    assert owners == ["kubemap"]


def test_no_kubeconfig_is_one_clear_line(kubemap, tmp_path: Path, monkeypatch) -> None:
    folder = write_kustomization(tmp_path / "k8s", web_service("shop", "api"))
    result = kubemap("apply", "-k", folder, "--kubeconfig", tmp_path / "missing", kubeconfig=False)
    assert_one_line_error(result, "kubeconfig", "does not exist")


def test_unreachable_api_server_is_one_clear_line(kubemap, control_plane, tmp_path: Path) -> None:
    from tests.cluster.controlplane import free_port

    config = control_plane.kubeconfig.read_text().replace(f":{control_plane.api_port}", f":{free_port()}")
    (tmp_path / "kubeconfig").write_text(config)
    folder = write_kustomization(tmp_path / "k8s", web_service("shop", "api"))
    result = kubemap("apply", "-k", folder, "--kubeconfig", tmp_path / "kubeconfig", kubeconfig=False)
    assert_one_line_error(result, "cannot reach the API server", "is the cluster running?")


def test_forbidden_is_one_clear_line(kubemap, control_plane, namespace, tmp_path: Path) -> None:
    config = control_plane.kubeconfig.read_text().replace(control_plane.token, control_plane.nobody_token)
    (tmp_path / "kubeconfig").write_text(config)
    folder = write_kustomization(tmp_path / "k8s", web_service("shop", "api"))
    result = kubemap("apply", "-k", folder, "-n", namespace, "--kubeconfig", tmp_path / "kubeconfig",
                     kubeconfig=False)
    assert_one_line_error(result, "forbidden", "RBAC")


def test_a_finished_job_whose_template_changed_is_replaced(kubemap, kube, namespace, tmp_path: Path) -> None:
    """A Job's pod template is immutable; like Compose re-running a one-shot service, apply
    replaces a finished Job instead of failing with `field is immutable`."""
    batch = client.BatchV1Api(kube)
    first = job("shop", "migrate", image="registry.local/migrate:1.0")
    assert kubemap("apply", "-k", write_kustomization(tmp_path / "v1", [first]), "-n", namespace).returncode == 0
    # Mark the Job finished the way the Job controller would (no kubelet runs pods here).
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    live = batch.read_namespaced_job("migrate", namespace)
    start = live.status.start_time.strftime("%Y-%m-%dT%H:%M:%SZ") if live.status.start_time else now
    batch.patch_namespaced_job_status("migrate", namespace, {"status": {
        "startTime": start, "completionTime": now, "succeeded": 1, "active": 0, "ready": 0,
        "conditions": [{"type": "SuccessCriteriaMet", "status": "True", "lastTransitionTime": now},
                       {"type": "Complete", "status": "True", "lastTransitionTime": now}]}})
    old_uid = batch.read_namespaced_job("migrate", namespace).metadata.uid

    second = job("shop", "migrate", image="registry.local/migrate:2.0")
    result = kubemap("apply", "-k", write_kustomization(tmp_path / "v2", [second]), "-n", namespace)

    assert result.returncode == 0, result.stderr
    assert "Job/migrate replaced (finished Job)" in result.stdout
    live = batch.read_namespaced_job("migrate", namespace)
    assert live.metadata.uid != old_uid
    assert live.spec.template.spec.containers[0].image == "registry.local/migrate:2.0"


def test_a_running_job_whose_template_changed_is_a_clear_error(kubemap, control_plane, namespace, tmp_path: Path) -> None:
    # Its Pod is bound to a node no kubelet (and no kwok) serves, so the Job stays unfinished
    # however long the test takes (on a kwok node it could complete before the second apply).
    node = "no-kubelet-running-job"
    control_plane.add_node(node, fake=False)
    running = job("shop", "migrate")
    running["spec"]["template"]["spec"]["nodeName"] = node
    assert kubemap("apply", "-k", write_kustomization(tmp_path / "v1", [running]), "-n", namespace).returncode == 0
    changed = job("shop", "migrate", image="registry.local/migrate:2.0")
    changed["spec"]["template"]["spec"]["nodeName"] = node
    result = kubemap("apply", "-k", write_kustomization(tmp_path / "v2", [changed]), "-n", namespace)
    assert_one_line_error(result, "Job/migrate", "cannot change while it runs")
