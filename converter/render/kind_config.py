"""kind-config.yaml: a kind cluster whose node publishes the project's host ports.

Compose publishes `"8080:80"` on the host; in Kubernetes the Service becomes a NodePort and kind
forwards the host port to that node port (`extraPortMappings`). Use it with
`kind create cluster --config k8s/kind-config.yaml`.

listenAddress: the Compose `host_ip` when one is given, otherwise 127.0.0.1. Compose itself binds
all interfaces by default; kubemap chooses loopback on purpose so that a development cluster is not
reachable from the network unless the compose file says so (write `"0.0.0.0:8080:80"` for that).
"""

from __future__ import annotations

from typing import Any

DEFAULT_LISTEN_ADDRESS = "127.0.0.1"


def _first(entry: dict[str, Any], *names: str) -> Any:
    for name in names:
        if entry.get(name) not in (None, ""):
            return entry[name]
    return None


def port_mapping(entry: dict[str, Any]) -> dict[str, Any]:
    """One Bundle.host_ports entry → one kind extraPortMapping."""
    protocol = str(_first(entry, "protocol") or "tcp").upper()
    return {
        "containerPort": int(_first(entry, "node_port", "nodePort")),
        "hostPort": int(_first(entry, "host_port", "hostPort", "published")),
        "listenAddress": str(_first(entry, "host_ip", "hostIP") or DEFAULT_LISTEN_ADDRESS),
        "protocol": protocol,
    }


def kind_cluster_config(host_ports: list[dict[str, Any]]) -> dict[str, Any]:
    mappings = sorted(
        (port_mapping(e) for e in host_ports),
        key=lambda m: (m["hostPort"], m["protocol"], m["listenAddress"], m["containerPort"]),
    )
    node: dict[str, Any] = {"role": "control-plane"}
    if mappings:
        node["extraPortMappings"] = mappings
    return {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "nodes": [node]}
