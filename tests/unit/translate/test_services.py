"""R-PORTS-01/02, R-EXPOSE-01, R-SVC-01/02: Services from ports, expose and aliases."""

from __future__ import annotations

import pytest

from converter.errors import TranslateError
from converter.model import HostPort, PortMapping, ServiceNetwork

from .helpers import codes, has, main, obj, run, service, traces


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        pytest.param([PortMapping(target=5432, published="5433")],
                     [{"name": "tcp-5432", "port": 5432, "targetPort": 5432, "protocol": "TCP"}],
                     id="R-PORTS-01-container-port-not-host-port"),
        pytest.param([PortMapping(target=53, published="53", protocol="udp"),
                      PortMapping(target=53, published="53", protocol="tcp")],
                     [{"name": "udp-53", "port": 53, "targetPort": 53, "protocol": "UDP"},
                      {"name": "tcp-53", "port": 53, "targetPort": 53, "protocol": "TCP"}],
                     id="R-PORTS-01-udp-and-tcp-same-number"),
        pytest.param([PortMapping(target=80, published="8080"), PortMapping(target=80, published="8081")],
                     [{"name": "tcp-80", "port": 80, "targetPort": 80, "protocol": "TCP"}],
                     id="R-PORTS-01-one-service-port-for-two-host-ports"),
        pytest.param([PortMapping(target=9000, name="metrics")],
                     [{"name": "metrics", "port": 9000, "targetPort": 9000, "protocol": "TCP"}],
                     id="R-PORTS-01-compose-port-name-kept"),
        pytest.param([PortMapping(target=132, protocol="sctp")],
                     [{"name": "sctp-132", "port": 132, "targetPort": 132, "protocol": "SCTP"}],
                     id="R-PORTS-01-sctp"),
    ],
)
def test_service_ports_use_container_port(ports, expected):
    bundle = run(service("app", image="nginx", ports=ports))
    got = [{k: v for k, v in p.items() if k != "nodePort"} for p in obj(bundle, "Service", "app")["spec"]["ports"]]
    assert got == expected
    assert [p["containerPort"] for p in main(bundle)["ports"]] == [p["port"] for p in expected]


def test_r_ports_01_generated_names_never_clash_with_compose_names():
    bundle = run(service("app", image="x", ports=[PortMapping(target=8080, name="tcp-80")], expose=["80"]))
    names = [p["name"] for p in obj(bundle, "Service", "app")["spec"]["ports"]]
    assert names == ["tcp-80", "tcp-80-2"]


FIXED = {"x-kubemap": {"node_ports": "fixed"}}


def test_r_ports_02_published_port_becomes_node_port_picked_by_the_api_server():
    bundle = run(service("app", image="nginx", ports=[PortMapping(target=80, published="8080")]))
    svc = obj(bundle, "Service", "app")
    assert svc["spec"]["type"] == "NodePort"
    assert "nodePort" not in svc["spec"]["ports"][0]
    assert bundle.host_ports == []
    [entry] = traces(bundle, "services.app.ports[0].published")
    assert entry.rule == "R-PORTS-02" and "API server" in entry.reason


def test_r_ports_02_two_projects_publishing_8080_ask_for_no_node_port():
    """Old behaviour: host port 8080 always became nodePort 32544, so a second project publishing
    8080 in the same cluster was refused (`provided port is already allocated`)."""
    shop = run(service("web", image="nginx", ports=[PortMapping(target=80, published="8080")]), name="shop")
    blog = run(service("web", image="ghost", ports=[PortMapping(target=2368, published="8080")]), name="blog")
    for bundle in (shop, blog):
        assert all("nodePort" not in p for p in obj(bundle, "Service", "web")["spec"]["ports"])


def test_r_ports_02_fixed_node_ports_are_recorded_for_kind():
    bundle = run(service("app", image="nginx", ports=[PortMapping(target=80, published="8080", host_ip="0.0.0.0")]),
                 extensions=FIXED)
    svc = obj(bundle, "Service", "app")
    assert svc["spec"]["ports"][0]["nodePort"] == 30000 + 8080 % 2768
    assert bundle.host_ports == [HostPort(service="app", host_port=8080, node_port=30000 + 8080 % 2768,
                                          protocol="tcp", host_ip="0.0.0.0")]


@pytest.mark.parametrize(
    ("host_ports", "node_ports"),
    [
        pytest.param(["8080", "10848"], [32544, 32545], id="R-PORTS-02-collision-takes-next-free"),
        pytest.param(["2767", "5535"], [32767, 30000], id="R-PORTS-02-wraps-to-30000"),
        pytest.param(["30080", "80"], [30080, 30080 + 1], id="R-PORTS-02-host-port-in-range-kept"),
    ],
)
def test_node_ports_are_deterministic_and_unique(host_ports, node_ports):
    a = service("a", image="x", ports=[PortMapping(target=80, published=host_ports[0])])
    b = service("b", image="x", ports=[PortMapping(target=81, published=host_ports[1])])
    bundle = run(a, b, extensions=FIXED)
    got = [obj(bundle, "Service", n)["spec"]["ports"][0]["nodePort"] for n in ("a", "b")]
    assert got == node_ports
    assert run(a, b, extensions=FIXED).model_dump() == bundle.model_dump()


def test_r_ports_02_service_x_kubemap_pins_a_node_port():
    bundle = run(service("app", image="x", ports=[PortMapping(target=80, published="8080")],
                         extensions={"x-kubemap": {"node_ports": {8080: 30080}}}))
    assert obj(bundle, "Service", "app")["spec"]["ports"][0]["nodePort"] == 30080
    assert [(h.host_port, h.node_port) for h in bundle.host_ports] == [(8080, 30080)]


@pytest.mark.parametrize(
    ("pins", "message"),
    [pytest.param([{8080: 30080}, {9090: 30080}], "asked for twice", id="R-PORTS-02-same-pin-twice-is-an-error"),
     pytest.param([{8080: 80}, {}], "outside", id="R-PORTS-02-pin-out-of-range-is-an-error")],
)
def test_bad_node_port_pins(pins, message):
    a = service("a", image="x", ports=[PortMapping(target=80, published="8080")],
                extensions={"x-kubemap": {"node_ports": pins[0]}})
    b = service("b", image="x", ports=[PortMapping(target=90, published="9090")],
                extensions={"x-kubemap": {"node_ports": pins[1]}} if pins[1] else {})
    with pytest.raises(TranslateError, match=message):
        run(a, b)


def test_r_ports_03_loopback_port_gets_no_node_port_and_stays_closed():
    """Old behaviour: "127.0.0.1:9229:9229" became a NodePort on every node, opened to all by
    --network-policies."""
    from converter.translate import TranslateOptions

    bundle = run(service("api", image="node", ports=[PortMapping(target=9229, published="9229", host_ip="127.0.0.1")]),
                 options=TranslateOptions(network_policies=True), extensions=FIXED)
    spec = obj(bundle, "Service", "api")["spec"]
    assert "type" not in spec and "nodePort" not in spec["ports"][0]
    assert bundle.host_ports == []
    assert not has(bundle, "NetworkPolicy", "api-published")
    [hint] = [f for f in bundle.findings if f.code == "KM-I-LOOPBACK-PORT"]
    assert "kubectl port-forward service/api 9229:9229" in hint.hint
    assert traces(bundle, "services.api.ports[0].published")[0].rule == "R-PORTS-03"


def test_r_ports_02_published_and_private_ports_get_separate_services():
    bundle = run(service("api", image="node", ports=[PortMapping(target=8080, published="8080"),
                                                     PortMapping(target=9229, published="9229", host_ip="127.0.0.1")],
                         expose=["9090"]), extensions=FIXED)
    main_spec = obj(bundle, "Service", "api")["spec"]
    assert "type" not in main_spec and [p["port"] for p in main_spec["ports"]] == [8080, 9229, 9090]
    published = obj(bundle, "Service", "api-published")["spec"]
    assert published["type"] == "NodePort" and [p["port"] for p in published["ports"]] == [8080]
    assert [h.service for h in bundle.host_ports] == ["api-published"]


def test_r_ports_02_statefulset_published_port_has_a_service_that_owns_the_node_port():
    """Old behaviour: the kind config mapped a nodePort that no Service owned (headless)."""
    from converter.model import Volume, VolumeMount

    db = service("db", image="postgres:16", ports=[PortMapping(target=5432, published="5432")],
                 volumes=[VolumeMount(type="volume", source="data", target="/var/lib/postgresql/data")])
    bundle = run(db, volumes={"data": Volume(name="data")}, extensions=FIXED)
    assert obj(bundle, "Service", "db")["spec"]["clusterIP"] == "None"
    published = obj(bundle, "Service", "db-published")["spec"]
    node_port = published["ports"][0]["nodePort"]
    assert published["type"] == "NodePort"
    assert bundle.host_ports == [HostPort(service="db-published", host_port=5432, node_port=node_port,
                                          protocol="tcp", host_ip="0.0.0.0")]


def test_r_ports_02_unpublished_port_stays_cluster_ip():
    bundle = run(service("app", image="nginx", ports=[PortMapping(target=80)]))
    spec = obj(bundle, "Service", "app")["spec"]
    assert "type" not in spec and "nodePort" not in spec["ports"][0]
    assert bundle.host_ports == []
    assert traces(bundle, "services.app.ports[0].published")[0].status == "approximated"


@pytest.mark.parametrize(
    ("forced", "expected"),
    [pytest.param("LoadBalancer", "LoadBalancer", id="R-PORTS-02-x-kubemap-loadbalancer"),
     pytest.param("ClusterIP", None, id="R-PORTS-02-x-kubemap-clusterip-drops-nodeport")],
)
def test_service_type_from_x_kubemap(forced, expected):
    bundle = run(service("app", image="nginx", ports=[PortMapping(target=80, published="8080")],
                         extensions={"x-kubemap": {"service_type": forced}}), extensions=FIXED)
    spec = obj(bundle, "Service", "app")["spec"]
    assert spec.get("type") == expected
    if expected is None:
        assert "nodePort" not in spec["ports"][0]


def test_r_ports_02_top_level_service_type_only_for_published_services():
    bundle = run(service("pub", image="x", ports=[PortMapping(target=80, published="8080")]),
                 service("internal", image="x", expose=["9000"]),
                 extensions={"x-kubemap": {"service_type": "LoadBalancer"}})
    assert obj(bundle, "Service", "pub")["spec"]["type"] == "LoadBalancer"
    assert "type" not in obj(bundle, "Service", "internal")["spec"]


@pytest.mark.parametrize(
    ("expose", "ports"),
    [
        pytest.param(["3000"], [(3000, "TCP")], id="R-EXPOSE-01-single"),
        pytest.param(["8000-8002"], [(8000, "TCP"), (8001, "TCP"), (8002, "TCP")], id="R-EXPOSE-01-range"),
        pytest.param(["53/udp"], [(53, "UDP")], id="R-EXPOSE-01-udp"),
    ],
)
def test_expose_gives_cluster_ip_ports(expose, ports):
    bundle = run(service("app", image="x", expose=expose))
    spec = obj(bundle, "Service", "app")["spec"]
    assert [(p["port"], p["protocol"]) for p in spec["ports"]] == ports
    assert "type" not in spec and "clusterIP" not in spec


def test_r_expose_01_huge_range_is_an_error():
    with pytest.raises(TranslateError, match="longer than"):
        run(service("app", image="x", expose=["1-60000"]))


@pytest.mark.parametrize(
    ("svc", "kind"),
    [
        pytest.param(service("app", image="worker"), "Deployment", id="R-SVC-01-headless-without-ports"),
        pytest.param(service("app", image="postgres:16", volumes=[{"type": "volume", "source": "data",
                                                                     "target": "/var/lib/postgresql/data"}],
                             ports=[PortMapping(target=5432)]), "StatefulSet", id="R-SVC-01-statefulset-headless"),
    ],
)
def test_headless_services(svc, kind):
    bundle = run(svc)
    spec = obj(bundle, "Service", "app")["spec"]
    assert spec["clusterIP"] == "None"
    assert has(bundle, kind, "app")
    if not svc.ports:
        assert "ports" not in spec  # no made-up port


def test_r_svc_01_job_without_ports_has_no_service():
    bundle = run(service("app", image="x", restart="no"))
    assert not has(bundle, "Service", "app") and has(bundle, "Job", "app")


@pytest.mark.parametrize(
    ("fields", "alias", "source"),
    [
        pytest.param({"container_name": "my-db"}, "my-db", "services.app.container_name", id="R-SVC-02-container-name"),
        pytest.param({"networks": {"back": ServiceNetwork(aliases=["database"])}}, "database",
                     "services.app.networks.back.aliases[0]", id="R-SVC-02-network-alias"),
    ],
)
def test_alias_services_select_the_same_pods(fields, alias, source):
    bundle = run(service("app", image="postgres", ports=[PortMapping(target=5432)], **fields))
    alias_svc = obj(bundle, "Service", alias)
    assert alias_svc["spec"]["selector"] == {"kubemap.io/service": "app"}
    assert alias_svc["spec"]["ports"][0]["port"] == 5432
    assert traces(bundle, source)[0].targets == [f"Service/{alias}"]


def test_r_svc_02_alias_of_a_published_service_is_cluster_ip():
    """Old behaviour: the container_name Service copied the main Service's nodePort, and the API
    server refused the second one (`provided port is already allocated`)."""
    bundle = run(service("web", image="nginx", container_name="my-web", ports=[PortMapping(target=80, published="8080")]),
                 extensions=FIXED)
    assert obj(bundle, "Service", "web")["spec"]["type"] == "NodePort"
    alias = obj(bundle, "Service", "my-web")["spec"]
    assert "type" not in alias and all("nodePort" not in p for p in alias["ports"])


def test_r_svc_02_job_without_ports_gets_no_alias_service():
    bundle = run(service("init", image="x", restart="no", container_name="init-db"))
    assert not has(bundle, "Service", "init-db")
    assert traces(bundle, "services.init.container_name")[0].status == "approximated"


def test_r_svc_02_link_alias_points_at_the_linked_service():
    db = service("db", image="postgres", ports=[PortMapping(target=5432)])
    web = service("web", image="app", links=["db:database", "db"])
    bundle = run(db, web)
    assert obj(bundle, "Service", "database")["spec"]["selector"] == {"kubemap.io/service": "db"}
    assert traces(bundle, "services.web.links[1]")[0].reason == "the Service name already resolves"


def test_r_svc_02_alias_clashing_with_a_service_is_reported():
    bundle = run(service("a", image="x", container_name="b"), service("b", image="y"))
    assert "KM-W-ALIAS" in codes(bundle)
    assert traces(bundle, "services.a.container_name")[0].status == "unsupported"


def test_r_svc_02_alias_with_dots_is_sanitised_and_reported():
    bundle = run(service("app", image="x", networks={"n": ServiceNetwork(aliases=["db.local"])}))
    assert has(bundle, "Service", "db-local")
    assert "KM-W-ALIAS" in codes(bundle)
