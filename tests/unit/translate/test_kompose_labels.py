"""Kompose's kompose.* labels read as x-kubemap settings (R-KOMPOSE-01), and the x-kubemap pod
settings they map to (R-X-02…07). Each label case checks the label gives exactly what the
x-kubemap setting gives: one code path."""

from __future__ import annotations

from typing import Any

import pytest

from converter.errors import TranslateError
from converter.model import DependsOn, Healthcheck, PortMapping, Volume, VolumeMount
from converter.translate.kompose_labels import LABELS, UNSUPPORTED, label_settings

from .helpers import codes, main, obj, pod, run, service, traces

WEB_PORTS = [PortMapping(target=80, published="8080")]


def _web(**fields: Any) -> Any:
    fields.setdefault("image", "nginx")
    fields.setdefault("ports", WEB_PORTS)
    return service("web", **fields)


def _objects(bundle: Any) -> list[dict[str, Any]]:
    return [o.body for o in bundle.objects]


# label(s) → the x-kubemap that means the same (objects compared whole)
SAME_AS_X: list[Any] = [
    pytest.param({"kompose.service.type": "loadbalancer"}, {"service_type": "LoadBalancer"},
                 id="R-KOMPOSE-01-service-type"),
    pytest.param({"kompose.service.type": "headless"}, {"service_type": "Headless"}, id="R-KOMPOSE-01-headless"),
    pytest.param({"kompose.service.nodeport.port": "30080"}, {"node_ports": {8080: 30080}},
                 id="R-KOMPOSE-01-nodeport"),
    pytest.param({"kompose.service.expose": "a.example.com/api,b.example.com",
                  "kompose.service.expose.tls-secret": "tls", "kompose.service.expose.ingress-class-name": "nginx"},
                 {"ingress": [{"host": "a.example.com", "path": "/api", "tls_secret": "tls", "class": "nginx"},
                              {"host": "b.example.com", "tls_secret": "tls", "class": "nginx"}]},
                 id="R-KOMPOSE-01-expose-hosts"),
    pytest.param({"kompose.service.expose": "true"}, {"ingress": [{}]}, id="R-KOMPOSE-01-expose-true"),
    pytest.param({"kompose.controller.type": "daemonset"}, {"workload": "daemonset"}, id="R-KOMPOSE-01-controller"),
    pytest.param({"kompose.image-pull-policy": "Never"}, {"image_pull_policy": "Never"},
                 id="R-KOMPOSE-01-pull-policy"),
    pytest.param({"kompose.image-pull-secret": "regcred"}, {"image_pull_secrets": ["regcred"]},
                 id="R-KOMPOSE-01-pull-secret"),
    pytest.param({"kompose.serviceaccount-name": "robot"}, {"service_account": "robot"},
                 id="R-KOMPOSE-01-service-account"),
    pytest.param({"kompose.security-context.fsgroup": "1001"}, {"fs_group": 1001}, id="R-KOMPOSE-01-fsgroup"),
    pytest.param({"kompose.hpa.replicas.min": "2", "kompose.hpa.replicas.max": "6", "kompose.hpa.cpu": "50",
                  "kompose.hpa.memory": "70"}, {"hpa": {"min": 2, "max": 6, "cpu": 50, "memory": 70}},
                 id="R-KOMPOSE-01-hpa"),
    pytest.param({"kompose.init.containers.name": "wait", "kompose.init.containers.image": "busybox",
                  "kompose.init.containers.command": '["sh", "-c", "sleep 1"]'},
                 {"init_containers": [{"name": "wait", "image": "busybox", "command": ["sh", "-c", "sleep 1"]}]},
                 id="R-KOMPOSE-01-init-containers"),
    pytest.param({"kompose.service.healthcheck.liveness.http_get_path": "/health",
                  "kompose.service.healthcheck.liveness.http_get_port": "8080",
                  "kompose.service.healthcheck.readiness.tcp_port": "80",
                  "kompose.service.healthcheck.readiness.interval": "10s"},
                 {"probes": {"liveness": {"http_get": {"path": "/health", "port": 8080}},
                             "readiness": {"tcp_port": 80, "interval": "10s"}}},
                 id="R-KOMPOSE-01-probes"),
]


@pytest.mark.parametrize(("labels", "x"), SAME_AS_X)
def test_a_label_gives_what_its_x_kubemap_setting_gives(labels: dict[str, str], x: dict[str, Any]) -> None:
    from_labels = run(_web(labels=labels))
    from_x = run(_web(extensions={"x-kubemap": x}))
    assert _objects(from_labels) == _objects(from_x)
    for label in labels:
        entries = traces(from_labels, f"services.web.labels.{label}")
        assert entries and all(e.status == "mapped" for e in entries if e.rule == "R-KOMPOSE-01"), label
    assert "KM-W-KOMPOSE-LABEL" not in codes(from_labels)


def test_r_kompose_01_volume_labels_set_every_named_volume_of_the_service() -> None:
    mounts = [VolumeMount(type="volume", source="data", target="/data")]
    bundle = run(_web(labels={"kompose.volume.size": "5Gi", "kompose.volume.storage-class-name": "fast",
                              "kompose.volume.selector": "db-pv"}, volumes=mounts),
                 volumes={"data": Volume(name="data")})
    spec = obj(bundle, "PersistentVolumeClaim", "data")["spec"]
    assert spec["resources"]["requests"]["storage"] == "5Gi"
    assert spec["storageClassName"] == "fast"
    assert spec["selector"] == {"matchLabels": {"io.kompose.service": "db-pv"}}


def test_r_kompose_01_top_level_volume_labels_size_their_claim_under_its_x_kubemap() -> None:
    mounts = [VolumeMount(type="volume", source="data", target="/data")]
    labels = {"kompose.volume.size": "5Gi", "kompose.volume.storage-class-name": "fast", "kompose.volume.subpath": "x",
              "team": "db"}
    bundle = run(_web(volumes=mounts), volumes={"data": Volume(name="data", labels=labels,
                                                               extensions={"x-kubemap": {"storage_class": "gold"}})})
    claim = obj(bundle, "PersistentVolumeClaim", "data")
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert claim["spec"]["storageClassName"] == "gold"  # the volume's x-kubemap wins
    assert claim["metadata"]["labels"]["team"] == "db" and not any(k.startswith("kompose.") for k in claim["metadata"]["labels"])
    assert "KM-W-KOMPOSE-OVERRIDDEN" in codes(bundle) and "KM-W-KOMPOSE-LABEL" in codes(bundle)
    [subpath] = traces(bundle, "volumes.data.labels.kompose.volume.subpath")
    assert subpath.status == "unsupported"


def test_r_kompose_01_cronjob_labels() -> None:
    job = service("tick", image="busybox", restart="no", command=["echo", "hi"],
                  labels={"kompose.cronjob.schedule": "*/5 * * * *", "kompose.cronjob.concurrency_policy": "Forbid",
                          "kompose.cronjob.backoff_limit": "2"})
    spec = obj(run(job), "CronJob", "tick")["spec"]
    assert spec["schedule"] == "*/5 * * * *"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["jobTemplate"]["spec"]["backoffLimit"] == 2


def test_r_kompose_01_x_kubemap_wins_with_a_finding() -> None:
    bundle = run(_web(labels={"kompose.service.type": "loadbalancer"},
                      extensions={"x-kubemap": {"service_type": "ClusterIP"}}))
    assert "type" not in obj(bundle, "Service", "web")["spec"]  # ClusterIP, the x-kubemap's
    assert "KM-W-KOMPOSE-OVERRIDDEN" in codes(bundle)
    [entry] = [e for e in traces(bundle, "services.web.labels.kompose.service.type") if e.rule == "R-KOMPOSE-01"]
    assert entry.status == "approximated" and "wins" in entry.reason


@pytest.mark.parametrize("label", ["kompose.service.group", "kompose.service.external-traffic-policy",
                                   "kompose.volume.subpath", "kompose.made.up"])
def test_r_kompose_01_unsupported_labels_are_reported_with_why(label: str) -> None:
    bundle = run(_web(labels={label: "x"}))
    [entry] = traces(bundle, f"services.web.labels.{label}")
    assert entry.status == "unsupported" and entry.reason
    assert "KM-W-KOMPOSE-LABEL" in codes(bundle)
    assert label not in (obj(bundle, "Deployment", "web")["metadata"].get("labels") or {})


def test_r_kompose_01_kompose_labels_are_not_kubernetes_labels() -> None:
    bundle = run(_web(labels={"kompose.service.type": "nodeport", "team": "a"}))
    labels = obj(bundle, "Deployment", "web")["metadata"]["labels"]
    assert labels["team"] == "a" and not any(k.startswith("kompose.") for k in labels)


def test_r_kompose_01_a_bad_label_value_is_an_error_naming_the_label() -> None:
    with pytest.raises(TranslateError, match="kompose.image-pull-policy") as caught:
        run(_web(labels={"kompose.image-pull-policy": "Sometimes"}))
    assert "unknown image pull policy" in str(caught.value)


def test_every_label_is_supported_or_has_a_reason() -> None:
    assert not set(LABELS) & set(UNSUPPORTED)
    assert all(reason for reason in UNSUPPORTED.values())
    result = label_settings(_web(labels={"kompose.hpa.cpu": "50"}))
    assert "hpa" not in result.settings and "max" in result.unsupported["kompose.hpa.cpu"]


def test_r_x_02_image_pull_policy() -> None:
    bundle = run(_web(extensions={"x-kubemap": {"image_pull_policy": "ifnotpresent"}}))
    assert main(bundle, name="web")["imagePullPolicy"] == "IfNotPresent"


def test_r_x_03_image_pull_secrets() -> None:
    bundle = run(_web(extensions={"x-kubemap": {"image_pull_secrets": "regcred"}}))
    assert pod(bundle, "Deployment", "web")["imagePullSecrets"] == [{"name": "regcred"}]
    with pytest.raises(TranslateError, match="not a valid Kubernetes name"):
        run(_web(extensions={"x-kubemap": {"image_pull_secrets": ["Bad_Name"]}}))


def test_r_x_04_service_account() -> None:
    bundle = run(_web(extensions={"x-kubemap": {"service_account": "robot"}}))
    assert pod(bundle, "Deployment", "web")["serviceAccountName"] == "robot"


def test_r_x_05_fs_group() -> None:
    bundle = run(_web(extensions={"x-kubemap": {"fs_group": 1001}}))
    assert pod(bundle, "Deployment", "web")["securityContext"]["fsGroup"] == 1001
    with pytest.raises(TranslateError, match="not a group id"):
        run(_web(extensions={"x-kubemap": {"fs_group": "staff"}}))


def test_r_x_06_init_containers_run_after_the_depends_on_waits() -> None:
    db = service("db", image="postgres", ports=[PortMapping(target=5432)])
    app = _web(depends_on={"db": DependsOn(condition="service_started")},
               extensions={"x-kubemap": {"init_containers": [{"name": "migrate", "image": "app", "command": "migrate"}]}})
    inits = pod(run(app, db), "Deployment", "web")["initContainers"]
    last = inits[-1]
    assert (last["name"], last["image"], last["command"]) == ("migrate", "app", ["/bin/sh", "-c", "migrate"])
    assert len(inits) == 2  # the wait for db comes first


def test_r_x_07_probe_override_keeps_the_healthcheck_timings() -> None:
    hc = Healthcheck(test=["CMD", "check"], interval=10, timeout=2, retries=4)
    bundle = run(_web(healthcheck=hc, extensions={"x-kubemap": {"probes": {"liveness": {"tcp_port": 80}}}}))
    container = main(bundle, name="web")
    assert container["livenessProbe"] == {"tcpSocket": {"port": 80}, "periodSeconds": 10, "timeoutSeconds": 2,
                                          "failureThreshold": 8}
    assert container["readinessProbe"]["exec"] == {"command": ["check"]}


def test_r_x_07_a_probe_without_a_check_is_an_error() -> None:
    with pytest.raises(TranslateError, match="has no check"):
        run(_web(extensions={"x-kubemap": {"probes": {"readiness": {"interval": "5s"}}}}))
