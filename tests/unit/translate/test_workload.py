"""R-WL-01..06: workload kind, replicas, deploy."""

from __future__ import annotations

import pytest

from converter.errors import TranslateError
from converter.model import Deploy, DependsOn, Healthcheck, PortMapping, RestartPolicy, VolumeMount

from .helpers import codes, has, obj, pod, run, service, traces

DATA = VolumeMount(type="volume", source="data", target="/data")


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        pytest.param({"image": "nginx"}, "Deployment", id="R-WL-01-default-deployment"),
        pytest.param({"image": "nginx", "restart": "always"}, "Deployment", id="R-WL-01-restart-always"),
        pytest.param({"image": "nginx", "restart": "unless-stopped"}, "Deployment", id="R-WL-01-unless-stopped"),
        pytest.param({"image": "postgres:16", "volumes": [DATA]}, "StatefulSet", id="R-WL-02-postgres-with-volume"),
        pytest.param({"image": "docker.io/library/redis:7-alpine", "volumes": [DATA]}, "StatefulSet",
                     id="R-WL-02-redis-registry-path"),
        pytest.param({"image": "postgres:16"}, "Deployment", id="R-WL-02-database-without-volume"),
        pytest.param({"image": "postgres:16", "volumes": [DATA], "deploy": Deploy(replicas=2)}, "Deployment",
                     id="R-WL-02-database-two-replicas"),
        pytest.param({"image": "myapp", "extensions": {"x-kubemap": {"workload": "statefulset"}}}, "StatefulSet",
                     id="R-WL-02-x-kubemap-forced"),
        pytest.param({"image": "agent", "deploy": Deploy(mode="global")}, "DaemonSet", id="R-WL-03-global"),
        pytest.param({"image": "x", "restart": "no"}, "Job", id="R-WL-04-restart-no"),
        pytest.param({"image": "x", "restart": "on-failure:3"}, "Job", id="R-WL-04-on-failure-n"),
        pytest.param({"image": "x", "deploy": Deploy(restart_policy=RestartPolicy(condition="none"))}, "Job",
                     id="R-WL-04-deploy-restart-policy-none"),
    ],
)
def test_workload_kind(fields, kind):
    bundle = run(service("app", **fields))
    assert has(bundle, kind, "app")


@pytest.mark.parametrize(
    ("restart", "policy", "backoff"),
    [pytest.param("no", "Never", 0, id="R-WL-04-never-backoff-0"),
     pytest.param("on-failure:3", "OnFailure", 3, id="R-WL-04-backoff-n"),
     pytest.param("on-failure", "OnFailure", 6, id="R-WL-04-backoff-default")],
)
def test_job_restart(restart, policy, backoff):
    bundle = run(service("app", image="x", restart=restart))
    job = obj(bundle, "Job", "app")
    assert job["spec"]["backoffLimit"] == backoff
    assert job["spec"]["template"]["spec"]["restartPolicy"] == policy
    assert traces(bundle, "services.app.restart")[0].rule == "R-WL-04"


@pytest.mark.parametrize(
    ("fields", "dependant"),
    [
        pytest.param({"restart": "no", "ports": [PortMapping(target=80)]}, None, id="R-WL-04-server-with-ports-stays-deployment"),
        pytest.param({"restart": "on-failure", "expose": ["5432"]}, None, id="R-WL-04-database-on-failure-stays-deployment"),
        pytest.param({"restart": "on-failure:3", "healthcheck": Healthcheck(test=["CMD", "true"])}, None,
                     id="R-WL-04-healthcheck-stays-deployment"),
        pytest.param({"restart": "no"}, "service_healthy", id="R-WL-04-waited-for-healthy-stays-deployment"),
        pytest.param({"deploy": Deploy(restart_policy=RestartPolicy(condition="on-failure")), "expose": ["80"]}, None,
                     id="R-WL-04-deploy-restart-policy-server-stays-deployment"),
    ],
)
def test_long_running_services_are_not_jobs(fields, dependant):
    """Old behaviour: a database with `restart: on-failure` became a Job without a Service."""
    others = [service("web", image="app", depends_on={"app": DependsOn(condition=dependant)})] if dependant else []
    bundle = run(service("app", image="x", **fields), *others)
    assert has(bundle, "Deployment", "app") and not has(bundle, "Job", "app")
    assert has(bundle, "Service", "app")
    [warning] = [f for f in bundle.findings if f.code == "KM-W-RESTART"]
    assert "None" not in warning.message and "long-running" in warning.message


def test_r_wl_04_completion_target_with_ports_is_a_job_with_a_hint_without_none():
    """The KM-I-JOB line used to print Python's None for a service without `restart:`."""
    migrate = service("migrate", image="app", expose=["80"])
    api = service("api", image="app", depends_on={"migrate": DependsOn(condition="service_completed_successfully")})
    bundle = run(migrate, api)
    [hint] = [f for f in bundle.findings if f.code == "KM-I-JOB"]
    assert has(bundle, "Job", "migrate") and "None" not in hint.message


def test_r_wl_04_one_shot_helper_in_another_services_network_is_its_own_job():
    """Old behaviour: merged into the other pod as a container restarted for ever."""
    minio = service("minio", image="minio/minio", ports=[PortMapping(target=9000, published="9000")])
    setup = service("setup", image="minio/mc", network_mode="service:minio",
                    entrypoint=["/bin/sh", "-c"], command=["mc alias set local http://localhost:9000 && mc mb local/b"])
    bundle = run(minio, setup)
    assert has(bundle, "Job", "setup")
    assert [c["name"] for c in pod(bundle, "Deployment", "minio")["containers"]] == ["minio"]
    assert "KM-W-SIDECAR-ONESHOT" in codes(bundle)
    for helper in (service("vpn-client", image="app", network_mode="service:minio", restart="unless-stopped"),
                   service("proxy", image="envoyproxy/envoy:v1.31", network_mode="service:minio"),
                   service("loop", image="alpine", network_mode="service:minio",
                           command=["sh", "-c", "while true; do date; sleep 60; done"])):
        kept = run(minio, helper)
        assert [c["name"] for c in pod(kept, "Deployment", "minio")["containers"]] == ["minio", helper.name]


@pytest.mark.parametrize(
    ("deploy", "dropped"),
    [
        pytest.param(Deploy(update_config={"parallelism": 1, "delay": 10}), "delay", id="R-WL-06-update-config-delay"),
        pytest.param(Deploy(restart_policy=RestartPolicy(condition="any", max_attempts=3)), "max_attempts",
                     id="R-WL-06-restart-policy-max-attempts"),
    ],
)
def test_dropped_deploy_settings_are_reported(deploy, dropped):
    bundle = run(service("app", image="x", deploy=deploy))
    assert any(f.code == "KM-W-UNSUPPORTED" and dropped in f.message for f in bundle.findings)


def test_r_wl_04_completion_dependency_becomes_job():
    migrate = service("migrate", image="app")
    api = service("api", image="app", depends_on={"migrate": DependsOn(condition="service_completed_successfully")})
    bundle = run(migrate, api)
    assert has(bundle, "Job", "migrate") and has(bundle, "Deployment", "api")


def test_r_wl_02_statefulset_has_claim_templates_and_headless_service():
    bundle = run(service("db", image="postgres:16", volumes=[DATA]), volumes={"data": {"name": "data"}})
    sts = obj(bundle, "StatefulSet", "db")
    assert sts["spec"]["serviceName"] == "db"
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert not has(bundle, "PersistentVolumeClaim", "data")
    assert obj(bundle, "Service", "db")["spec"]["clusterIP"] == "None"


@pytest.mark.parametrize(
    ("fields", "replicas"),
    [
        pytest.param({"deploy": Deploy(replicas=3)}, 3, id="R-WL-05-deploy-replicas"),
        pytest.param({"scale": 2}, 2, id="R-WL-05-scale"),
        pytest.param({"scale": 2, "extensions": {"x-kubemap": {"replicas": 4}}}, 4, id="R-WL-05-x-kubemap-wins"),
    ],
)
def test_replicas(fields, replicas):
    bundle = run(service("app", image="x", **fields))
    assert obj(bundle, "Deployment", "app")["spec"]["replicas"] == replicas


def test_r_wl_05_job_replicas_are_parallelism():
    spec = obj(run(service("app", image="x", restart="no", scale=3)), "Job", "app")["spec"]
    assert (spec["parallelism"], spec["completions"]) == (3, 3)


def test_r_wl_05_daemonset_ignores_replicas():
    bundle = run(service("app", image="x", deploy=Deploy(mode="global", replicas=3)))
    assert "replicas" not in obj(bundle, "DaemonSet", "app")["spec"]
    assert traces(bundle, "services.app.deploy.replicas")[0].status == "unsupported"


def test_r_wl_06_placement_and_labels_and_update_config():
    deploy = Deploy(placement={"constraints": ["node.labels.disk == ssd", "node.role==manager"]},
                    labels={"team": "core"}, update_config={"parallelism": 1}, endpoint_mode="dnsrr")
    bundle = run(service("app", image="x", deploy=deploy, expose=["80"]))
    assert pod(bundle, "Deployment", "app")["nodeSelector"] == {"disk": "ssd"}
    assert obj(bundle, "Deployment", "app")["metadata"]["labels"]["team"] == "core"
    assert traces(bundle, "services.app.deploy.placement")[0].status == "approximated"
    assert traces(bundle, "services.app.deploy.update_config")[0].status == "mapped"
    assert obj(bundle, "Deployment", "app")["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
    assert obj(bundle, "Service", "app")["spec"]["clusterIP"] == "None"
    assert "KM-W-UNSUPPORTED" in codes(bundle)


def test_r_wl_06_hostname_and_platform_constraints():
    deploy = Deploy(placement={"constraints": ["node.hostname == n1", "node.platform.arch==x86_64",
                                               "node.labels.bad==has space"]})
    bundle = run(service("app", image="x", deploy=deploy))
    assert pod(bundle, "Deployment", "app")["nodeSelector"] == {"kubernetes.io/hostname": "n1",
                                                                "kubernetes.io/arch": "amd64"}


@pytest.mark.parametrize(
    ("update", "rolling", "status"),
    [pytest.param({"parallelism": 2, "order": "start-first"}, {"maxSurge": 2, "maxUnavailable": 0}, "mapped",
                  id="R-WL-06-start-first"),
     pytest.param({"parallelism": 0, "delay": 10}, {"maxSurge": 0, "maxUnavailable": "100%"}, "approximated",
                  id="R-WL-06-all-at-once-delay-reported")],
)
def test_update_config_strategy(update, rolling, status):
    bundle = run(service("app", image="x", deploy=Deploy(update_config=update)))
    assert obj(bundle, "Deployment", "app")["spec"]["strategy"]["rollingUpdate"] == rolling
    assert traces(bundle, "services.app.deploy.update_config")[0].status == status
    import kubernetes_validate

    kubernetes_validate.validate(obj(bundle, "Deployment", "app"), kubernetes_validate.latest_version(), strict=True)


def test_r_wl_01_unknown_forced_workload_is_an_error():
    with pytest.raises(TranslateError, match="unknown workload"):
        run(service("app", image="x", extensions={"x-kubemap": {"workload": "cronjob"}}))
