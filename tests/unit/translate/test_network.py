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
    bundle = run(service("h", image="x", network_mode="host"), service("s", image="y", network_mode="service:h"))
    spec = pod(bundle, "Deployment", "h")
    assert spec["hostNetwork"] is True and spec["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert traces(bundle, "services.s.network_mode")[0].status == "unsupported"
    assert "KM-W-HOST-NETWORK" in codes(bundle)
