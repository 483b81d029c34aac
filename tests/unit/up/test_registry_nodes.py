"""converter/up/registry.py without a cluster: the gateway a node reaches this machine at, the
hosts.toml that points containerd there, docker push's digest line."""

from __future__ import annotations

import tomllib

from converter.up.registry import MARK, _digest, default_gateway, hosts_toml

ROUTES = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0100590A\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t0000590A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
"""


def test_the_default_gateway_from_proc_net_route() -> None:
    assert default_gateway(ROUTES) == "10.89.0.1"
    assert default_gateway(ROUTES.splitlines()[0] + "\n") is None


def test_hosts_toml_sends_pulls_of_the_loopback_registry_to_the_gateway() -> None:
    text = hosts_toml("127.0.0.1:5051/team", "http://10.89.0.1:5051")
    assert text.startswith(MARK)
    parsed = tomllib.loads(text)
    assert parsed["server"] == "http://127.0.0.1:5051"
    assert parsed["host"]["http://10.89.0.1:5051"]["capabilities"] == ["pull", "resolve"]


def test_the_digest_docker_push_printed() -> None:
    lines = ["The push refers to repository [127.0.0.1:5051/x]", "latest: digest: sha256:abc size: 528"]
    assert _digest(lines) == "sha256:abc"
    assert _digest(["nothing"]) == ""
