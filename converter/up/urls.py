"""The URLs `kubemap up` and `kubemap status` print for a project's published ports."""

from __future__ import annotations

from dataclasses import dataclass

from converter.cluster.endpoints import PublishedPort


@dataclass(frozen=True, order=True)
class Url:
    service: str
    url: str
    note: str = ""


def _address(port: int, protocol: str, host: str) -> str:
    if host in ("", "0.0.0.0", "127.0.0.1", "::", "::1"):  # noqa: S104 - what a binding says, not a bind
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}" if protocol == "TCP" else f"{host}:{port} ({protocol.lower()})"


def kind_urls(ports: list[PublishedPort], bindings: dict[tuple[int, str], tuple[str, int]],
              node_addresses: list[str]) -> list[Url]:
    """On a kind cluster: the host port the node publishes for each NodePort; a NodePort the
    node does not publish (the cluster was created for other ports) is reachable on the node's
    own address from this machine."""
    urls = []
    for port in ports:
        bound = bindings.get((port.node_port, port.protocol))
        if bound:
            urls.append(Url(port.service, _address(bound[1], port.protocol, bound[0])))
        elif node_addresses:
            urls.append(Url(port.service, _address(port.node_port, port.protocol, node_addresses[0]),
                            note=f"the cluster does not publish nodePort {port.node_port} on this machine "
                                 "(it was created for other ports): this is the node's own address"))
    return sorted(urls)


def cluster_urls(ports: list[PublishedPort], node_addresses: list[str]) -> list[Url]:
    """On a cluster given by --context: a LoadBalancer's address when it has one, else a node's
    address and the NodePort."""
    urls = []
    for port in ports:
        if port.load_balancer:
            urls.append(Url(port.service, _address(port.port, port.protocol, port.load_balancer)))
        elif node_addresses:
            urls.append(Url(port.service, _address(port.node_port, port.protocol, node_addresses[0]),
                            note="NodePort on a node's address"))
    return sorted(urls)
