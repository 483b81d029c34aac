"""converter/up/urls.py: the URLs printed for published ports."""

from __future__ import annotations

from converter.cluster.endpoints import PublishedPort
from converter.up.urls import Url, cluster_urls, kind_urls

GATEWAY = PublishedPort("gateway", "gateway", 8080, 32544)
FRONTEND = PublishedPort("frontend", "frontend", 3000, 30232)
DNS = PublishedPort("dns", "dns", 53, 30053, protocol="UDP")


def test_kind_urls_use_the_host_ports_the_node_publishes() -> None:
    bindings = {(32544, "TCP"): ("0.0.0.0", 8080), (30232, "TCP"): ("127.0.0.1", 3000), (30053, "UDP"): ("", 5353)}
    assert kind_urls([GATEWAY, FRONTEND, DNS], bindings, ["10.89.0.2"]) == [
        Url("dns", "localhost:5353 (udp)"), Url("frontend", "http://localhost:3000"),
        Url("gateway", "http://localhost:8080")]


def test_a_node_port_the_node_does_not_publish_is_reached_on_the_nodes_address() -> None:
    urls = kind_urls([GATEWAY], {(30232, "TCP"): ("0.0.0.0", 3000)}, ["10.89.0.2"])
    assert urls[0].url == "http://10.89.0.2:32544"
    assert "does not publish nodePort 32544" in urls[0].note


def test_cluster_urls_prefer_a_load_balancer() -> None:
    balanced = PublishedPort("web", "web", 80, 31000, load_balancer="203.0.113.7")
    assert cluster_urls([balanced, GATEWAY], ["192.0.2.10"]) == [
        Url("gateway", "http://192.0.2.10:32544", "NodePort on a node's address"), Url("web", "http://203.0.113.7:80")]
