"""kind-config.yaml: a kind cluster whose node publishes the project's host ports.

Compose publishes `"8080:80"` on the host; in Kubernetes the Service becomes a NodePort and kind
forwards the host port to that node port (`extraPortMappings`). Use it with
`kind create cluster --config k8s/kind-config.yaml`.

listenAddress: the Compose `host_ip`, and like Compose all interfaces (0.0.0.0) when the port
names none (`HostPort.host_ip`). Write `"127.0.0.1:8080:80"` to keep a port on this machine: such
a port gets no nodePort and no mapping at all (R-PORTS-03).
"""

from __future__ import annotations

from typing import Any

from converter.model import HostPort


def port_mapping(port: HostPort) -> dict[str, Any]:
    """One published host port → one kind extraPortMapping."""
    return {"containerPort": port.node_port, "hostPort": port.host_port, "listenAddress": port.host_ip,
            "protocol": port.protocol.upper()}


def kind_cluster_config(host_ports: list[HostPort]) -> dict[str, Any]:
    mappings = sorted(
        (port_mapping(p) for p in host_ports),
        key=lambda m: (m["hostPort"], m["protocol"], m["listenAddress"], m["containerPort"]),
    )
    node: dict[str, Any] = {"role": "control-plane"}
    if mappings:
        node["extraPortMappings"] = mappings
    return {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "nodes": [node]}
