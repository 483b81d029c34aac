"""R-NET-01..03: networks, network_mode, NetworkPolicies."""

from __future__ import annotations

from converter.model import Network, PortMapping, ServiceNetwork
from converter.translate import TranslateOptions

from .helpers import codes, has, obj, pod, run, service, traces

POLICIES = TranslateOptions(network_policies=True)


def _stack(options):
    web = service("web", image="w", ports=[PortMapping(target=80, published="8080")],
                  networks={"front": None})
    api = service("api", image="a", networks={"front": None, "back": ServiceNetwork(ipv4_address="10.0.0.5")})
    db = service("db", image="d", networks={"back": None})
    return run(web, api, db, options=options,
               networks={"front": Network(name="front"), "back": Network(name="back", internal=True)})


def test_r_net_03_policies_allow_exactly_shared_networks():
    bundle = _stack(POLICIES)
    back = obj(bundle, "NetworkPolicy", "demo-net-back")
    assert back["spec"]["podSelector"] == {"matchLabels": {"net.kubemap.io/back": "true"}}
    assert back["spec"]["ingress"] == [{"from": [{"podSelector": {"matchLabels": {"net.kubemap.io/back": "true"}}}]}]
    deny = obj(bundle, "NetworkPolicy", "demo-default-deny")
    assert deny["spec"] == {"podSelector": {"matchLabels": {"kubemap.io/project": "demo"}}, "policyTypes": ["Ingress"]}
    published = obj(bundle, "NetworkPolicy", "web-published")
    assert published["spec"]["ingress"] == [{"ports": [{"port": 80, "protocol": "TCP"}]}]
    labels = obj(bundle, "Deployment", "api")["spec"]["template"]["metadata"]["labels"]
    assert labels["net.kubemap.io/front"] == labels["net.kubemap.io/back"] == "true"
    assert "net.kubemap.io/front" not in obj(bundle, "Deployment", "db")["spec"]["template"]["metadata"]["labels"]


def test_r_net_01_without_policies_networks_are_approximated():
    bundle = _stack(TranslateOptions())
    assert not any(o.kind == "NetworkPolicy" for o in bundle.objects)
    assert traces(bundle, "services.db.networks.back")[0].status == "approximated"
    assert traces(bundle, "services.api.networks.back.ipv4_address")[0].status == "unsupported"
    assert traces(bundle, "networks.back.internal")[0].status == "unsupported"


def test_r_net_03_implicit_default_network():
    bundle = run(service("a", image="x"), service("b", image="y"), options=POLICIES)
    assert has(bundle, "NetworkPolicy", "demo-net-default")


def test_r_net_02_network_mode():
    bundle = run(service("h", image="x", network_mode="host"), service("s", image="y", network_mode="container:abc"))
    spec = pod(bundle, "Deployment", "h")
    assert spec["hostNetwork"] is True and spec["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert traces(bundle, "services.s.network_mode")[0].status == "unsupported"
    assert "KM-W-HOST-NETWORK" in codes(bundle)


def test_r_net_04_service_network_mode_becomes_a_sidecar():
    from converter.model import DependsOn, VolumeMount

    client = service("client", image="busybox", ports=[PortMapping(target=8080, published="8080")],
                     volumes=[VolumeMount(type="volume", target="/c")])
    server = service("server", image="nginx", command=["serve"], network_mode="service:client",
                     container_name="threats-server", volumes=[VolumeMount(type="volume", target="/s")],
                     depends_on={"client": DependsOn()})
    web = service("web", image="w", depends_on={"server": DependsOn()})
    bundle = run(client, server, web)
    assert not has(bundle, "Deployment", "server") and not has(bundle, "Service", "server")
    spec = pod(bundle, "Deployment", "client")
    assert [c["name"] for c in spec["containers"]] == ["client", "server"]
    assert spec["containers"][1]["args"] == ["serve"]
    assert spec["containers"][1]["volumeMounts"] == [{"name": "server-anon-0", "mountPath": "/s"}]
    assert {v["name"] for v in spec["volumes"]} == {"anon-0", "server-anon-0"}
    assert "initContainers" not in spec  # the sidecar does not wait for its own pod
    assert obj(bundle, "Service", "threats-server")["spec"]["selector"] == {"kubemap.io/service": "client"}
    assert "h=client p=8080" in pod(bundle, "Deployment", "web")["initContainers"][0]["command"][2]
    [entry] = traces(bundle, "services.server.network_mode")
    assert entry.rule == "R-NET-04" and entry.targets == ["Deployment/client .spec.template.spec.containers[name=server].image"]
    assert traces(bundle, "services.server.command")[0].targets == [
        "Deployment/client .spec.template.spec.containers[name=server].args"]


def test_r_net_03_network_drivers():
    bundle = run(service("a", image="x", networks={"n": None, "m": None}),
                 networks={"n": Network(name="n", driver="bridge"),
                           "m": Network(name="m", driver="macvlan", other={"ipam": {"config": []}})})
    assert traces(bundle, "networks.n.driver")[0].status == "mapped"
    assert traces(bundle, "networks.m.driver")[0].status == "unsupported"
    assert traces(bundle, "networks.m.ipam")[0].status == "unsupported"
    assert codes(bundle).count("KM-W-UNSUPPORTED") == 2
