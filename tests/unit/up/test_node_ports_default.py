"""`kubemap up` on kind converts with fixed nodePorts unless the project says otherwise
(TranslateOptions.node_ports), so kind's port mappings make published ports localhost URLs."""

from __future__ import annotations

from converter.model.project import PortMapping
from converter.translate import TranslateOptions
from tests.unit.translate.helpers import obj, run, service


def web():  # type: ignore[no-untyped-def]
    return service("web", image="nginx:1", ports=[PortMapping(target=80, published="8080", protocol="tcp")])


def node_ports(bundle) -> list:  # type: ignore[no-untyped-def]
    return [p.get("nodePort") for p in obj(bundle, "Service", "web")["spec"]["ports"]]


def test_by_default_the_api_server_picks_and_there_is_no_port_mapping() -> None:
    bundle = run(web())
    assert node_ports(bundle) == [None]
    assert bundle.host_ports == []


def test_fixed_for_kind_pins_the_node_port_and_records_the_mapping() -> None:
    bundle = run(web(), options=TranslateOptions(node_ports="fixed"))
    assert node_ports(bundle) == [32544]  # 30000 + 8080 mod 2768
    assert [(m.host_port, m.node_port) for m in bundle.host_ports] == [(8080, 32544)]


def test_the_projects_own_choice_wins() -> None:
    bundle = run(web(), options=TranslateOptions(node_ports="fixed"), extensions={"x-kubemap": {"node_ports": "auto"}})
    assert node_ports(bundle) == [None]
