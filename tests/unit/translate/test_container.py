"""R-CMD-*, R-RES-01, R-POD-*: the container and pod fields."""

from __future__ import annotations

import pytest

from converter.model import Deploy, ResourceSpec, Resources, Ulimit, VolumeMount
from converter.translate.container import cpu_quantity, escape_dollar_paren, memory_quantity

from .helpers import codes, main, pod, run, service, traces


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        pytest.param("echo $(date)", "echo $$(date)", id="R-CMD-01-dollar-paren-escaped"),
        pytest.param("echo $HOME ${HOME}", "echo $HOME ${HOME}", id="R-CMD-01-dollar-var-untouched"),
        pytest.param("a $$(b)", "a $$$$(b)", id="R-CMD-01-literal-double-dollar-survives"),
        pytest.param("cost $5 $", "cost $5 $", id="R-CMD-01-lone-dollars-untouched"),
    ],
)
def test_escape(arg, expected):
    assert escape_dollar_paren(arg) == expected


def test_r_cmd_01_entrypoint_is_command_and_command_is_args():
    bundle = run(service("app", image="x", entrypoint=["/bin/sh", "-c"], command=["echo $(id) $USER"]))
    c = main(bundle)
    assert c["command"] == ["/bin/sh", "-c"] and c["args"] == ["echo $$(id) $USER"]
    assert traces(bundle, "services.app.command")[0].targets == ["Deployment/app .spec.template.spec.containers[0].args"]


def test_r_cmd_01_empty_entrypoint_is_reported():
    bundle = run(service("app", image="x", entrypoint=[]))
    assert "command" not in main(bundle) and "KM-W-UNSUPPORTED" in codes(bundle)


def test_r_cmd_02_process_options():
    c = main(run(service("app", image="x", working_dir="/srv", stdin_open=True, tty=True)))
    assert (c["workingDir"], c["stdin"], c["tty"]) == ("/srv", True, True)


@pytest.mark.parametrize(
    ("cpus", "q"),
    [pytest.param(0.5, "500m", id="R-RES-01-half-cpu"), pytest.param(2.0, "2", id="R-RES-01-two-cpus"),
     pytest.param(0.0001, "1m", id="R-RES-01-min-1m")],
)
def test_cpu_quantity(cpus, q):
    assert cpu_quantity(cpus) == q


@pytest.mark.parametrize(
    ("size", "q"),
    [pytest.param(256 << 20, "256Mi", id="R-RES-01-mi"), pytest.param(1 << 30, "1Gi", id="R-RES-01-gi"),
     pytest.param(1000, "1000", id="R-RES-01-bytes")],
)
def test_memory_quantity(size, q):
    assert memory_quantity(size) == q


def test_r_res_01_deploy_resources_and_legacy_keys():
    res = Resources(limits=ResourceSpec(cpus=0.5, memory=512 << 20), reservations=ResourceSpec(memory=128 << 20))
    bundle = run(service("app", image="x", deploy=Deploy(resources=res), cpus=2.0, mem_reservation=64 << 20))
    assert main(bundle)["resources"] == {"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"memory": "128Mi"}}
    assert traces(bundle, "services.app.cpus")[0].status == "approximated"  # deploy wins


@pytest.mark.parametrize(
    "fields",
    [pytest.param({"deploy": Deploy(resources=Resources(limits=ResourceSpec(memory=1 << 20),
                                                       reservations=ResourceSpec(memory=2 << 20)))},
                  id="R-RES-01-reservation-over-limit"),
     pytest.param({"mem_limit": 1 << 20, "mem_reservation": 2 << 20}, id="R-RES-01-legacy-reservation-over-limit")],
)
def test_reservation_above_limit_is_an_error(fields):
    from converter.errors import TranslateError

    with pytest.raises(TranslateError, match="larger than its limit"):
        run(service("app", image="x", **fields))


@pytest.mark.parametrize(
    ("devices", "gpus"),
    [pytest.param([{"driver": "nvidia", "count": 2, "capabilities": [["gpu"]]}], "2", id="R-RES-02-two-gpus"),
     pytest.param([{"capabilities": [["gpu", "utility"]], "device_ids": ["0", "3"]}], "2", id="R-RES-02-device-ids"),
     pytest.param([{"capabilities": ["gpu"], "count": "all"}], "1", id="R-RES-02-all-read-as-one")],
)
def test_gpu_reservations(devices, gpus):
    res = Resources(reservations=ResourceSpec(devices=devices))
    bundle = run(service("app", image="x", deploy=Deploy(resources=res)))
    assert main(bundle)["resources"]["limits"]["nvidia.com/gpu"] == gpus
    assert "KM-W-UNSUPPORTED" not in codes(bundle)


def test_r_res_02_gpus_key():
    bundle = run(service("app", image="x", other={"gpus": "all"}))
    assert main(bundle)["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert traces(bundle, "services.app.gpus")[0].rule == "R-RES-02"


def test_r_res_01_legacy_only():
    c = main(run(service("app", image="x", mem_limit=1 << 30, cpus=1.5)))
    assert c["resources"] == {"limits": {"cpu": "1500m", "memory": "1Gi"}}


def test_r_pod_01_stop_grace_period_rounds_up():
    assert pod(run(service("app", image="x", stop_grace_period=1.5)), "Deployment", "app")[
        "terminationGracePeriodSeconds"] == 2


def test_r_pod_02_stop_signal_reported():
    bundle = run(service("app", image="x", stop_signal="SIGINT"))
    assert traces(bundle, "services.app.stop_signal")[0].status == "unsupported"


def test_r_pod_03_hostname():
    bundle = run(service("app", image="x", hostname="My_Host", domainname="example.com"))
    assert pod(bundle, "Deployment", "app")["hostname"] == "my-host"
    assert traces(bundle, "services.app.hostname")[0].status == "approximated"
    assert traces(bundle, "services.app.domainname")[0].status == "unsupported"


def test_r_pod_04_extra_hosts_grouped_by_ip():
    bundle = run(service("app", image="x", extra_hosts={"b.local": ["10.0.0.1"], "a.local": ["10.0.0.1"],
                                                      "gw": ["host-gateway"]}))
    assert pod(bundle, "Deployment", "app")["hostAliases"] == [{"ip": "10.0.0.1", "hostnames": ["a.local", "b.local"]}]
    assert traces(bundle, "services.app.extra_hosts.gw")[0].status == "unsupported"


def test_r_pod_05_dns_keeps_the_cluster_dns_first():
    """Old behaviour: `dns:` became dnsPolicy None, and nothing resolved, not even the waits."""
    spec = pod(run(service("app", image="x", dns=["1.1.1.1"], dns_search=["corp"], dns_opt=["ndots:2", "rotate"])),
               "Deployment", "app")
    assert "dnsPolicy" not in spec
    assert spec["dnsConfig"] == {"nameservers": ["1.1.1.1"], "searches": ["corp"],
                                 "options": [{"name": "ndots", "value": "2"}, {"name": "rotate"}]}


def test_r_pod_05_compose_network_nameservers_are_dropped():
    from converter.model import Network, ServiceNetwork

    dns = service("dns", image="pihole", networks={"lan": ServiceNetwork(ipv4_address="172.30.0.53")})
    app = service("app", image="x", dns=["172.30.0.53", "127.0.0.11", "9.9.9.9"], networks={"lan": None})
    bundle = run(dns, app, networks={"lan": Network(name="lan", other={"ipam": {"config": [{"subnet": "172.30.0.0/24"}]}})})
    spec = pod(bundle, "Deployment", "app")
    assert "dnsPolicy" not in spec and spec["dnsConfig"] == {"nameservers": ["9.9.9.9"]}
    assert "KM-W-DNS" in codes(bundle)


@pytest.mark.parametrize(
    ("platform", "selector"),
    [
        pytest.param("linux/x86_64", {"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"},
                     id="R-POD-09-x86-64-is-amd64"),
        pytest.param("linux/arm64/v8", {"kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64"},
                     id="R-POD-09-variant-dropped"),
        pytest.param("wasi/wasm", None, id="R-POD-09-wasm-is-reported-not-selected"),
    ],
)
def test_platform_node_selector(platform, selector):
    """Old behaviour: `wasi/wasm` became a nodeSelector no node matches (pod Pending for ever)."""
    bundle = run(service("app", image="x", platform=platform))
    assert pod(bundle, "Deployment", "app").get("nodeSelector") == selector
    if selector is None:
        assert traces(bundle, "services.app.platform")[0].status == "unsupported"


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        pytest.param({"hostname": "{{.Node.Hostname}}-agent"}, "hostname", id="R-POD-11-hostname"),
        pytest.param({"environment": {"NODE": "{{.Node.ID}}"}}, "environment.NODE", id="R-POD-11-environment"),
        pytest.param({"volumes": [VolumeMount(type="volume", source="logs", target="/logs/{{.Task.Slot}}")]},
                     "volumes[0]", id="R-POD-11-volume-target"),
    ],
)
def test_swarm_templates_are_reported(fields, where):
    """Old behaviour: copied literally without a finding."""
    bundle = run(service("app", image="x", **fields))
    assert [f.source for f in bundle.findings if f.code == "KM-W-SWARM-TEMPLATE"] == [f"services.app.{where}"]
    assert "hostname" not in pod(bundle, "Deployment", "app")


def test_r_cmd_01_empty_entrypoint_with_command_runs_the_command_as_argv():
    """Old behaviour: `entrypoint: ""` plus a command was reported as inexpressible."""
    bundle = run(service("app", image="x", entrypoint=[], command=["python", "-m", "app"]))
    container = main(bundle)
    assert container["command"] == ["python", "-m", "app"] and "args" not in container
    assert "KM-W-UNSUPPORTED" not in codes(bundle)


def test_r_pod_05_search_only_keeps_cluster_dns():
    assert "dnsPolicy" not in pod(run(service("app", image="x", dns_search=["corp"])), "Deployment", "app")


def test_r_pod_06_init_shares_process_namespace():
    bundle = run(service("app", image="x", init=True))
    assert pod(bundle, "Deployment", "app")["shareProcessNamespace"] is True
    assert traces(bundle, "services.app.init")[0].status == "approximated"


def test_r_pod_07_shm_size():
    bundle = run(service("app", image="x", shm_size=256 << 20))
    spec = pod(bundle, "Deployment", "app")
    assert {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}} in spec["volumes"]
    assert {"name": "dshm", "mountPath": "/dev/shm"} in main(bundle)["volumeMounts"]


def test_r_pod_08_ulimits_reported():
    bundle = run(service("app", image="x", ulimits={"nofile": Ulimit(soft=1024, hard=2048)}))
    assert "KM-W-ULIMITS" in codes(bundle)
    assert traces(bundle, "services.app.ulimits.nofile")[0].status == "unsupported"


def test_r_pod_09_platform_node_selector():
    spec = pod(run(service("app", image="x", platform="linux/arm64/v8")), "Deployment", "app")
    assert spec["nodeSelector"] == {"kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64"}


def test_r_profile_01_profiles_traced():
    bundle = run(service("app", image="x", profiles=["dev"]), disabled_services=["other"])
    assert traces(bundle, "services.app.profiles")[0].rule == "R-PROFILE-01"
    assert traces(bundle, "services.other")[0].rule == "R-PROFILE-01"


@pytest.mark.parametrize(
    ("other", "lifecycle", "status"),
    [
        pytest.param({"post_start": [{"command": ["touch", "/tmp/up"]}]},
                     {"postStart": {"exec": {"command": ["touch", "/tmp/up"]}}}, "mapped", id="R-POD-10-post-start"),
        pytest.param({"pre_stop": [{"command": "nginx -s quit", "user": "root"}, {"command": "x"}]},
                     {"preStop": {"exec": {"command": ["/bin/sh", "-c", "nginx -s quit"]}}}, "approximated",
                     id="R-POD-10-pre-stop-first-hook-only"),
    ],
)
def test_lifecycle_hooks(other, lifecycle, status):
    bundle = run(service("app", image="x", other=other))
    assert main(bundle)["lifecycle"] == lifecycle
    assert traces(bundle, f"services.app.{next(iter(other))}")[0].status == status
