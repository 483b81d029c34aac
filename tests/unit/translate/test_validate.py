"""A rich synthetic project: every object passes strict schema validation, the output is
deterministic, and every written key has a trace entry from a real rule."""

from __future__ import annotations

import json

import kubernetes_validate
import pytest

from converter.model import (
    Build, Deploy, DependsOn, FileObject, FileReference, Healthcheck, HostPath, Network, PortMapping,
    ResourceSpec, Resources, ServiceNetwork, Ulimit, Volume, VolumeMount,
)
from converter.translate import TranslateOptions, translate

from .helpers import project, service

K8S_VERSION = kubernetes_validate.latest_version()


def rich_project():
    host = {
        "/proj/nginx.conf": HostPath(path="/proj/nginx.conf", kind="file", content=b"events {}\n"),
        "/proj/certs": HostPath(path="/proj/certs", kind="dir", entries={"ca.pem": b"PEM", "x/k.bin": b"\x00\xff"}),
        "/proj/api": HostPath(path="/proj/api", kind="dir", entries=None),
        "/proj/pw.txt": HostPath(path="/proj/pw.txt", kind="file", content=b"pw"),
    }
    db = service(
        "db", image="postgres:16-alpine", environment={"POSTGRES_PASSWORD": "pw", "POSTGRES_DB": "app"},
        volumes=[VolumeMount(type="volume", source="pg_data", target="/var/lib/postgresql/data")],
        healthcheck=Healthcheck(test=["CMD-SHELL", "pg_isready -U postgres"], interval=5, timeout=3, retries=5,
                                start_period=10),
        expose=["5432"], networks={"back": None}, shm_size=128 << 20, restart="unless-stopped",
        secrets=[FileReference(source="db_pw", mode=0o400)],
    )
    migrate = service("migrate", build=Build(context="/proj/api"), command=["alembic", "upgrade", "head"],
                      depends_on={"db": DependsOn(condition="service_healthy")}, networks={"back": None},
                      restart="on-failure:2")
    api = service(
        "api", build=Build(context="/proj/api"), entrypoint=["/bin/sh", "-c"],
        command=["exec gunicorn -b 0.0.0.0:$PORT app:$(echo app)"], user="10001:10001",
        environment={"PORT": "8000", "API_TOKEN": "t", "SHELL_ONLY": None}, env_file_values={"LOG": "info"},
        env_files=["/proj/api.env"], ports=[PortMapping(target=8000, published="8000", host_ip="127.0.0.1")],
        depends_on={"db": DependsOn(condition="service_healthy"),
                    "migrate": DependsOn(condition="service_completed_successfully"),
                    "cache": DependsOn(required=False)},
        healthcheck=Healthcheck(test=["CMD", "curl", "-fsS", "http://localhost:8000/health"], interval=10),
        deploy=Deploy(replicas=2, resources=Resources(limits=ResourceSpec(cpus=0.5, memory=256 << 20),
                                                      reservations=ResourceSpec(cpus=0.1, memory=64 << 20)),
                      labels={"tier": "backend"}),
        volumes=[VolumeMount(type="bind", source="/proj/api", target="/app"),
                 VolumeMount(type="volume", target="/tmp/cache")],
        read_only=True, cap_drop=["ALL"], tmpfs=["/tmp:size=16m"], stop_grace_period=20, init=True,
        labels={"com.example/team": "core"}, annotations={"example.com/owner": "me"},
        networks={"front": None, "back": ServiceNetwork(aliases=["backend"])}, container_name="shop-api",
        extra_hosts={"metadata": ["169.254.169.254"]}, dns_search=["corp.local"], sysctls={"net.ipv4.tcp_syncookies": "1"},
        ulimits={"nofile": Ulimit(soft=1024, hard=4096)},
        configs=[FileReference(source="app_cfg", target="/etc/app/config.yaml")],
        extensions={"x-kubemap": {"hpa": {"min": 2, "max": 5, "cpu": 75},
                                  "ingress": {"host": "shop.example.com", "class": "nginx"}}},
        other={"logging": {"driver": "json-file"}},
    )
    web = service("web", image="nginx:1.27", ports=[PortMapping(target=80, published="8080"),
                                                     PortMapping(target=53, published="5353", protocol="udp")],
                  volumes=[VolumeMount(type="bind", source="/proj/nginx.conf", target="/etc/nginx/nginx.conf", read_only=True),
                           VolumeMount(type="bind", source="/proj/certs", target="/etc/certs")],
                  depends_on={"api": DependsOn()}, networks={"front": None}, links=["api:backend-api"],
                  pull_policy="always", hostname="web1", platform="linux/amd64")
    agent = service("agent", image="datadog/agent:7", deploy=Deploy(mode="global"), privileged=True,
                    other={"pid": "host"}, network_mode="host", security_opt=["apparmor=unconfined"])
    worker = service("worker", image="shop-worker:1", scale=3, command=["worker"], networks={"back": None},
                     depends_on={"db": DependsOn()}, mem_limit=128 << 20, cpus=0.25,
                     extensions={"x-kubemap": {"wait_image": "shop-tools:1"}})
    return project(
        db, migrate, api, web, agent, worker, name="shop",
        networks={"front": Network(name="front"), "back": Network(name="back")},
        volumes={"pg_data": Volume(name="pg_data", extensions={"x-kubemap": {"size": "5Gi"}})},
        secrets={"db_pw": FileObject(name="db_pw", file="/proj/pw.txt")},
        configs={"app_cfg": FileObject(name="app_cfg", content="debug: false\n")},
        host_paths=host,
    )


OPTION_SETS = [
    pytest.param(TranslateOptions(), id="defaults"),
    pytest.param(TranslateOptions(namespace="shop", network_policies=True, default_pvc_size="2Gi"), id="all-options"),
]


@pytest.mark.parametrize("options", OPTION_SETS)
def test_every_object_passes_strict_validation(options):
    bundle = translate(rich_project(), options)
    kinds = {o.kind for o in bundle.objects}
    assert {"Deployment", "StatefulSet", "DaemonSet", "Job", "Service", "ConfigMap", "Secret", "Role",
            "RoleBinding", "ServiceAccount", "HorizontalPodAutoscaler", "Ingress"} <= kinds
    for obj in bundle.objects:
        kubernetes_validate.validate(obj.body, K8S_VERSION, strict=True)
    if options.namespace:
        assert all(o.body["metadata"]["namespace"] == "shop" for o in bundle.objects if o.kind != "Namespace")


@pytest.mark.parametrize("options", OPTION_SETS)
def test_same_input_same_output(options):
    first = json.dumps(translate(rich_project(), options).model_dump(), sort_keys=False)
    second = json.dumps(translate(rich_project(), options).model_dump(), sort_keys=False)
    assert first == second


def test_objects_are_sorted_by_kind_then_name():
    from converter.model.kube import KIND_ORDER

    bundle = translate(rich_project())
    keys = [(KIND_ORDER.index(o.kind), o.name) for o in bundle.objects]
    assert keys == sorted(keys)


def test_every_written_key_is_traced_by_a_rule():
    proj = rich_project()
    bundle = translate(proj)
    for svc in proj.services.values():
        prefix = f"services.{svc.name}."
        for key in svc.keys:
            entries = [e for e in bundle.trace if e.source == prefix + key
                       or e.source.startswith((prefix + key + ".", prefix + key + "["))]
            assert entries, f"{prefix}{key} has no trace entry"
            assert any(e.reason != "no kubemap rule converts this key" for e in entries), f"{prefix}{key} only in the safety net"
    for section in ("networks", "volumes", "secrets", "configs"):
        for name in getattr(proj, section):
            assert any(e.source.startswith(f"{section}.{name}") for e in bundle.trace), f"{section}.{name} untraced"


def test_every_unsupported_key_has_a_finding():
    bundle = translate(rich_project())
    sources = {f.source for f in bundle.findings}
    unsupported = [e for e in bundle.trace if e.status == "unsupported"]
    assert len(unsupported) >= 3  # logging, ulimits, SHELL_ONLY, the dev-only bind...
    for entry in unsupported:
        assert any(entry.source == s or entry.source.startswith((s + ".", s + "[")) for s in sources), entry


def test_rich_project_key_facts():
    bundle = translate(rich_project())
    by = {(o.kind, o.name): o.body for o in bundle.objects}
    api = by[("Deployment", "api")]["spec"]["template"]["spec"]
    assert [c["name"] for c in api["initContainers"]] == ["wait-for-db", "wait-for-migrate"]
    assert api["containers"][0]["args"] == ["exec gunicorn -b 0.0.0.0:$PORT app:$$(echo app)"]
    assert by[("Service", "api")]["spec"]["ports"][0]["port"] == 8000
    assert by[("StatefulSet", "db")]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert by[("Job", "migrate")]["spec"]["backoffLimit"] == 2
    assert ("Service", "shop-api") in by and ("Service", "backend") in by and ("Service", "backend-api") in by
    assert bundle.host_ports == []  # nodePorts are the API server's unless x-kubemap fixes them
    assert "type" not in by[("Service", "api")]["spec"]  # published on 127.0.0.1 only: no NodePort
    assert by[("Service", "web")]["spec"]["type"] == "NodePort"


def test_translate_is_pure_and_leaves_the_project_unchanged():
    proj = rich_project()
    before = proj.model_dump()
    translate(proj, TranslateOptions(network_policies=True))
    assert proj.model_dump() == before


def test_strict_mode_on_the_rich_project_names_the_keys():
    from converter.errors import TranslateError

    with pytest.raises(TranslateError) as err:
        translate(rich_project(), TranslateOptions(strict=True))
    unsupported = [e for e in translate(rich_project()).trace if e.status == "unsupported"]
    assert f"--strict: {len(unsupported)} Compose key(s) cannot be converted" in str(err.value)
    assert all(e.source in str(err.value) for e in unsupported)
    assert err.value.key_path == unsupported[0].source
