"""Where a project's published ports can be reached: its NodePort / LoadBalancer Services as
the cluster has them, and the nodes' addresses."""

from __future__ import annotations

from dataclasses import dataclass

from converter.cluster.connection import Client
from converter.cluster.health import SERVICE_LABEL


@dataclass(frozen=True, order=True)
class PublishedPort:
    service: str  # the Compose service (label), else the Service's name
    name: str  # the Kubernetes Service
    port: int
    node_port: int
    protocol: str = "TCP"
    load_balancer: str = ""  # an ingress IP or hostname, when the cluster gave one


def published_ports(client: Client, namespace: str) -> list[PublishedPort]:
    items = client.request("GET", f"/api/v1/namespaces/{namespace}/services").body.get("items") or []
    found = []
    for item in items:
        spec = item.get("spec") or {}
        if spec.get("type") not in ("NodePort", "LoadBalancer"):
            continue
        meta = item.get("metadata") or {}
        ingress = ((item.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        balancer = str((ingress[0].get("ip") or ingress[0].get("hostname") or "") if ingress else "")
        service = str((meta.get("labels") or {}).get(SERVICE_LABEL) or meta.get("name"))
        for port in spec.get("ports") or []:
            if port.get("nodePort"):
                found.append(PublishedPort(service, str(meta.get("name")), int(port["port"]), int(port["nodePort"]),
                                           str(port.get("protocol") or "TCP"), balancer))
    return sorted(found)


def node_addresses(client: Client) -> list[str]:
    """Each node's ExternalIP, else its InternalIP."""
    addresses = []
    for node in client.request("GET", "/api/v1/nodes").body.get("items") or []:
        by_type = {a.get("type"): a.get("address") for a in (node.get("status") or {}).get("addresses") or []}
        address = by_type.get("ExternalIP") or by_type.get("InternalIP")
        if address:
            addresses.append(str(address))
    return addresses


def node_port_holders(client: Client, node_ports: set[int], namespace: str) -> dict[int, str]:
    """nodePort -> `namespace/service` for the given nodePorts that a Service outside `namespace`
    already has (a nodePort is unique in a cluster, as a host port is on a machine)."""
    if not node_ports:
        return {}
    items = client.request("GET", "/api/v1/services").body.get("items") or []
    held = {}
    for item in items:
        meta = item.get("metadata") or {}
        if meta.get("namespace") == namespace:
            continue
        for port in (item.get("spec") or {}).get("ports") or []:
            if port.get("nodePort") in node_ports:
                held[int(port["nodePort"])] = f"{meta.get('namespace')}/{meta.get('name')}"
    return held
