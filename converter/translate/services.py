"""Kubernetes Services: container ports, NodePorts for published ports, aliases."""

from __future__ import annotations

import re
from typing import Any

from converter.errors import TranslateError
from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import metadata, selector
from converter.translate.naming import dns_label, service_label
from converter.translate.rules import rule

NODE_PORT_MIN, NODE_PORT_MAX = 30000, 32767
MAX_EXPANDED_PORTS = 100  # an `expose` range longer than this is an error, not 60,000 ports
SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer"}
_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")


def port_name(protocol: str, port: int, wanted: str | None, used: set[str]) -> str:
    """`tcp-8080`, or the Compose port `name` when it is a valid IANA service name."""
    if wanted:
        candidate = dns_label(wanted, 15)
        if _PORT_NAME.match(candidate) and re.search("[a-z]", candidate) and "--" not in candidate \
                and candidate not in used:
            return candidate
    name, n = f"{protocol.lower()}-{port}", 2
    while name in used:  # a Compose port name took it: tcp-80-2, tcp-80-3, ...
        name, n = f"{protocol.lower()}-{port}-{n}", n + 1
    return name


def parse_expose(entry: str, source: str) -> list[tuple[int, str]]:
    """"80", "8000-8002", "53/udp" → [(port, protocol)]."""
    spec, _, proto = str(entry).partition("/")
    proto = (proto or "tcp").lower()
    try:
        first, _, last = spec.partition("-")
        lo, hi = int(first), int(last or first)
    except ValueError as exc:
        raise TranslateError(f"invalid expose entry {entry!r}", key_path=source,
                             hint="use PORT, PORT/udp or START-END") from exc
    if hi < lo or hi - lo >= MAX_EXPANDED_PORTS:
        raise TranslateError(f"expose range {entry!r} is empty or longer than {MAX_EXPANDED_PORTS} ports",
                             key_path=source, hint="list the ports the service really listens on")
    return [(p, proto) for p in range(lo, hi + 1)]


@rule("R-PORTS-01", "ports → Service.spec.ports (container port) + containerPort", keys=("ports",))
def map_ports(ctx: Context, plan: ServicePlan) -> None:
    """Each entry of `ports` gives the Service a port `port = targetPort = <container port>`
    and the container a `containerPort`: peers call `http://<service>:<container port>`, exactly
    as on the Compose network. The published host port is not a Service port (Kompose's bug);
    it becomes a NodePort (R-PORTS-02). Protocols `udp` and `sctp` are kept. Port names are
    `<protocol>-<port>` (or the Compose port `name` when valid) and unique. The same container
    port listed twice (published on two host ports) gives one Service port."""
    svc = plan.service
    seen: dict[tuple[int, str], dict[str, Any]] = {}
    used: set[str] = set()
    for i, port in enumerate(svc.ports):
        key = (port.target, port.protocol.upper())
        if key not in seen:
            name = port_name(port.protocol, port.target, port.name, used)
            used.add(name)
            entry: dict[str, Any] = {"name": name, "port": port.target, "targetPort": port.target,
                                     "protocol": port.protocol.upper()}
            if port.app_protocol:
                entry["appProtocol"] = port.app_protocol
            seen[key] = entry
            plan.service_ports.append(entry)
        ctx.trace(src(plan, f"ports[{i}]"),
                  [f"Service/{plan.name} .spec.ports[name={seen[key]['name']}]",
                   plan.container_field(f"ports[name={seen[key]['name']}]")],
                  "R-PORTS-01", reason=f"Service port {port.target} (the container port)",
                  service=svc.name)
    for i, entry in enumerate(svc.expose):
        for number, proto in parse_expose(entry, src(plan, f"expose[{i}]")):
            map_expose(ctx, plan, i, number, proto, seen, used)


@rule("R-EXPOSE-01", "expose → Service.spec.ports (ClusterIP)", keys=("expose",))
def map_expose(ctx: Context, plan: ServicePlan, index: int, number: int, proto: str,
               seen: dict[tuple[int, str], dict[str, Any]], used: set[str]) -> None:
    """Each `expose` port (ranges expanded, at most 100 per entry; `/udp` kept) becomes a
    Service port and containerPort like an unpublished `ports` entry: reachable by peers, never
    from outside the cluster."""
    key = (number, proto.upper())
    if key not in seen:
        name = port_name(proto, number, None, used)
        used.add(name)
        seen[key] = {"name": name, "port": number, "targetPort": number, "protocol": proto.upper()}
        plan.service_ports.append(seen[key])
    ctx.trace(src(plan, f"expose[{index}]"), f"Service/{plan.name} .spec.ports[name={seen[key]['name']}]",
              "R-EXPOSE-01", service=plan.service.name)


def container_ports(plan: ServicePlan) -> None:
    if plan.service_ports:
        plan.container["ports"] = [
            {"name": p["name"], "containerPort": p["port"], "protocol": p["protocol"]}
            for p in plan.service_ports
        ]


@rule("R-PORTS-02", "published ports → NodePort + host port record", keys=("ports",))
def assign_node_ports(ctx: Context) -> None:
    """A port published on the host (`"8080:80"`) makes the Service `type: NodePort` (or the
    type from `x-kubemap: {service_type: …}`), with a deterministic nodePort: the host port
    itself when it is in 30000–32767, else `30000 + (host port mod 2768)`, or the next free one. Each host port → nodePort pair is recorded in
    `Bundle.host_ports` (with protocol and host IP) so a kind cluster can map the same host port
    (`extraPortMappings`). A top-level `x-kubemap: {service_type: …}` changes the type of every
    service with published ports; a service's own `x-kubemap` changes just that one (even
    without published ports). A port published without a host port (`"80"`, random host port under
    Compose) stays ClusterIP-only, and is approximated. A second host port for the same
    container port reuses its nodePort."""
    taken: set[int] = set()
    for plan in ctx.plans.values():
        for p in plan.service_ports:
            if isinstance(p.get("nodePort"), int):
                taken.add(p["nodePort"])
    for name in sorted(ctx.plans):
        plan = ctx.plans[name]
        svc = plan.service
        forced = plan.x.get("service_type")
        published = False
        for i, port in enumerate(svc.ports):
            s = src(plan, f"ports[{i}]")
            entry = next(p for p in plan.service_ports
                         if p["port"] == port.target and p["protocol"] == port.protocol.upper())
            if port.published in (None, ""):
                continue
            try:
                host_port = int(port.published)
            except ValueError as exc:
                raise TranslateError(f"published port {port.published!r} is not a single port",
                                     key_path=s, hint="the loader should have expanded ranges") from exc
            published = True
            if "nodePort" not in entry:
                node_port = _free_node_port(host_port, taken)
                taken.add(node_port)
                entry["nodePort"] = node_port
            ctx.host_ports.append({"service": plan.name, "host_port": host_port,
                                   "node_port": entry["nodePort"], "protocol": port.protocol,
                                   "host_ip": port.host_ip or "0.0.0.0"})
            reason = f"host port {host_port} → nodePort {entry['nodePort']} (kind extraPortMappings)"
            if port.mode == "host":
                reason += "; mode host treated like ingress"
            ctx.trace(s + ".published", f"Service/{plan.name} .spec.ports[name={entry['name']}].nodePort",
                      "R-PORTS-02", "approximated", reason, service=svc.name)
        for i, port in enumerate(svc.ports):
            if port.published in (None, ""):
                ctx.trace(src(plan, f"ports[{i}]") + ".published", [], "R-PORTS-02", "approximated",
                          "random host port under Compose; reachable in-cluster only", service=svc.name)
        if not forced and published:
            forced = ctx.top_x.get("service_type")  # the project default applies to published services
        if forced:
            kind = SERVICE_TYPES.get(str(forced).lower())
            if kind is None:
                raise TranslateError(f"unknown service_type {forced!r}", key_path=src(plan, "x-kubemap.service_type"),
                                     hint="use ClusterIP, NodePort or LoadBalancer")
            plan.service_type = kind
        elif published:
            plan.service_type = "NodePort"
        if plan.service_type == "ClusterIP":
            for p in plan.service_ports:
                p.pop("nodePort", None)


def _free_node_port(host_port: int, taken: set[int]) -> int:
    span = NODE_PORT_MAX - NODE_PORT_MIN + 1
    # A host port already in the NodePort range keeps its number; others are folded into it.
    start = host_port - NODE_PORT_MIN if NODE_PORT_MIN <= host_port <= NODE_PORT_MAX else host_port % span
    for offset in range(span):
        candidate = NODE_PORT_MIN + (start + offset) % span
        if candidate not in taken:
            return candidate
    raise TranslateError("more than 2768 published ports: the NodePort range is exhausted",
                         hint="publish fewer ports")


@rule("R-SVC-01", "every service → a Service (headless when it has no ports)", keys=())
def build_service(ctx: Context, plan: ServicePlan) -> None:
    """Every service gets a Service named after it, so its Compose DNS name keeps working for
    peers. Without ports it is headless (`clusterIP: None`, no made-up port: DNS returns the
    ready pods' IPs); a StatefulSet's Service is headless too (it is its `serviceName`), and so
    is one with `deploy.endpoint_mode: dnsrr`. Jobs get a Service only when they have ports."""
    if plan.kind == "Job" and not plan.service_ports:
        plan.has_service = False
        return
    ctx.add(plan.service.name, service_body(ctx, plan, plan.name))


def service_body(ctx: Context, plan: ServicePlan, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"selector": selector(plan)}
    headless = plan.headless or plan.kind == "StatefulSet" or not plan.service_ports
    if headless:
        spec["clusterIP"] = "None"
    elif plan.service_type != "ClusterIP":
        spec["type"] = plan.service_type
    if plan.service_ports:
        ports = [dict(p) for p in plan.service_ports]
        if headless or plan.service_type == "ClusterIP":
            for p in ports:
                p.pop("nodePort", None)
        spec["ports"] = ports
    if plan.kind == "StatefulSet":
        spec["publishNotReadyAddresses"] = False
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata(ctx, name, plan.name), "spec": spec}


@rule("R-SVC-02", "container_name / links / network aliases → extra Services", keys=("container_name", "links", "networks"))
def alias_services(ctx: Context, plan: ServicePlan, reserved: set[str]) -> None:
    """Compose lets peers reach a container by `container_name`, by a `links` alias
    (`service:alias`) and by network `aliases`. Each such name becomes an extra Service with the
    same selector and ports (ExternalName would point at a DNS name, not at pods). A name that is
    not a valid RFC 1123 label is sanitised and reported; a name already used by a service is
    skipped and reported. Aliases with dots (`db.local`) cannot be Service names: reported."""
    svc = plan.service
    wanted: list[tuple[str, str]] = []  # (alias, source)
    if svc.container_name:
        wanted.append((svc.container_name, src(plan, "container_name")))
    for net, attach in sorted(svc.networks.items()):
        if attach is not None:
            for j, alias in enumerate(attach.aliases):
                wanted.append((alias, src(plan, f"networks.{net}.aliases[{j}]")))
    for i, link in enumerate(svc.links):
        target, _, alias = link.partition(":")
        s = src(plan, f"links[{i}]")
        target_plan = ctx.plans.get(target)
        if target_plan is None:
            ctx.trace(s, [], "R-SVC-02", "unsupported", f"unknown service {target!r}", service=svc.name)
            ctx.finding("KM-W-UNSUPPORTED", s, f"link to unknown service {target!r}")
            continue
        if not alias or alias == target:
            ctx.trace(s, f"Service/{target_plan.name}", "R-SVC-02", reason="the Service name already resolves",
                      service=svc.name)
            continue
        _alias_service(ctx, target_plan, alias, s, reserved, svc.name)
    for alias, s in wanted:
        _alias_service(ctx, plan.host or plan, alias, s, reserved, svc.name)


def _alias_service(ctx: Context, plan: ServicePlan, alias: str, source: str, reserved: set[str],
                   owner: str) -> None:
    label = service_label(alias)
    if label == plan.name:
        ctx.trace(source, f"Service/{plan.name}", "R-SVC-02", reason="same as the service name", service=owner)
        return
    if not label or label in reserved:
        why = "already the name of another Service" if label else "not usable as a name"
        ctx.trace(source, [], "R-SVC-02", "unsupported", f"alias {alias!r}: {why}", service=owner)
        ctx.finding("KM-W-ALIAS", source, f"alias {alias!r} cannot become a Service: {why}",
                    "use a distinct name")
        return
    reserved.add(label)
    ctx.add(plan.service.name, service_body(ctx, plan, label))
    exact = label == alias
    ctx.trace(source, f"Service/{label}", "R-SVC-02", "mapped" if exact else "approximated",
              f"selector Service for {plan.name}'s pods" + ("" if exact else f"; DNS name is {label!r}, not {alias!r}"),
              service=owner)
    if not exact:
        ctx.finding("KM-W-ALIAS", source, f"alias {alias!r} is reachable as {label!r} only",
                    "use RFC 1123 names for aliases")
