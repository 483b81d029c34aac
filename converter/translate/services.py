"""Kubernetes Services: container ports, NodePorts for published ports, aliases."""

from __future__ import annotations

import re
from typing import Any

from converter.errors import TranslateError
from converter.model.bundle import ALL_INTERFACES, HostPort
from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import metadata, selector
from converter.translate.naming import dns_label, service_label
from converter.translate.rules import rule

NODE_PORT_MIN, NODE_PORT_MAX = 30000, 32767
MAX_EXPANDED_PORTS = 100  # an `expose` range longer than this is an error, not 60,000 ports
SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer",
                 "headless": "ClusterIP"}
HEADLESS = "headless"
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
    t = ctx.tracer(plan)
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
        t.mapped(src(plan, f"ports[{i}]"),
                 [f"Service/{plan.name} .spec.ports[name={seen[key]['name']}]",
                   plan.container_field(f"ports[name={seen[key]['name']}]")],
                 "R-PORTS-01", reason=f"Service port {port.target} (the container port)")
    for i, entry in enumerate(svc.expose):
        for number, proto in parse_expose(entry, src(plan, f"expose[{i}]")):
            map_expose(ctx, plan, i, number, proto, seen=seen, used=used)


@rule("R-EXPOSE-01", "expose → Service.spec.ports (ClusterIP)", keys=("expose",))
def map_expose(ctx: Context, plan: ServicePlan, index: int, number: int, proto: str,
               *, seen: dict[tuple[int, str], dict[str, Any]], used: set[str]) -> None:
    """Each `expose` port (ranges expanded, at most 100 per entry; `/udp` kept) becomes a
    Service port and containerPort like an unpublished `ports` entry: reachable by peers, never
    from outside the cluster."""
    t = ctx.tracer(plan)
    key = (number, proto.upper())
    if key not in seen:
        name = port_name(proto, number, None, used)
        used.add(name)
        seen[key] = {"name": name, "port": number, "targetPort": number, "protocol": proto.upper()}
        plan.service_ports.append(seen[key])
    t.mapped(src(plan, f"expose[{index}]"), f"Service/{plan.name} .spec.ports[name={seen[key]['name']}]",
             "R-EXPOSE-01")


def container_ports(ctx: Context, plan: ServicePlan) -> None:  # noqa: ARG001 - one signature for every service rule
    if plan.service_ports:
        plan.container["ports"] = [
            {"name": p["name"], "containerPort": p["port"], "protocol": p["protocol"]}
            for p in plan.service_ports
        ]


LOOPBACK_HOSTS = ("127.", "::1", "localhost")
NODE_PORT_MODES = ("auto", "fixed")


def is_loopback(host_ip: str | None) -> bool:
    return bool(host_ip) and str(host_ip).startswith(LOOPBACK_HOSTS)


def node_port_mode(ctx: Context) -> str:
    """Top-level `x-kubemap.node_ports`: auto (the API server picks) or fixed; when the project
    does not say, TranslateOptions.node_ports (auto, except for `kubemap up` on kind)."""
    mode = str(ctx.top_x.get("node_ports", ctx.options.node_ports)).lower()
    if mode not in NODE_PORT_MODES:
        raise TranslateError(f"unknown node_ports {ctx.top_x.get('node_ports')!r}", key_path="x-kubemap.node_ports",
                             hint="use auto (the API server picks nodePorts) or fixed (kind extraPortMappings)")
    return mode


def _pinned(ctx: Context, plan: ServicePlan) -> dict[int, int]:
    """Service `x-kubemap.node_ports: {<published host port>: <nodePort>}`."""
    raw = plan.x.get("node_ports")
    if raw is None:
        return {}
    where = plan.x_source("node_ports")
    if not isinstance(raw, dict):
        raise TranslateError("node_ports must map published host ports to nodePorts", key_path=where,
                             hint="e.g. node_ports: {8080: 30080}")
    pinned: dict[int, int] = {}
    for host, node in raw.items():
        try:
            host_port, node_port = int(host), int(node)
        except (TypeError, ValueError) as exc:
            raise TranslateError(f"node_ports entry {host!r}: {node!r} is not a pair of port numbers",
                                 key_path=where, hint="e.g. node_ports: {8080: 30080}") from exc
        if not NODE_PORT_MIN <= node_port <= NODE_PORT_MAX:
            raise TranslateError(f"nodePort {node_port} is outside {NODE_PORT_MIN}-{NODE_PORT_MAX}", key_path=where,
                                 hint="the API server only accepts nodePorts in its service-node-port-range")
        pinned[host_port] = node_port
    return pinned


@rule("R-PORTS-02", "published ports → NodePort Service (nodePorts fixed only when asked)", keys=("ports",))
def assign_node_ports(ctx: Context) -> None:
    """A port published on the host (`"8080:80"`) is reachable from outside the cluster: the
    Service that carries it is `type: NodePort` (or the type from `x-kubemap: {service_type: …}`:
    ClusterIP, NodePort, LoadBalancer, or Headless — a ClusterIP Service with `clusterIP: None`;
    a top-level `service_type` applies to every service with published ports). By default the
    nodePort is left to the API server, so two projects that both publish 8080 live side by
    side in one cluster and no two Services of one output ask for the same nodePort. A fixed
    nodePort is written only where asked: service `x-kubemap: {node_ports: {8080: 30080}}`
    pins one, and top-level `x-kubemap: {node_ports: fixed}` pins every published port
    deterministically (the host port itself when it is in 30000–32767, else `30000 + (host port
    mod 2768)`, or the next free one) and records each host port → nodePort pair in
    `Bundle.host_ports`, which becomes kind's `extraPortMappings` (kind-config.yaml), so
    `localhost:<host port>` reaches the Service as under Compose. A nodePort asked for twice is
    an error. When the Service named after the service cannot carry exactly the published ports
    (it is headless for a StatefulSet or `endpoint_mode: dnsrr`, or it has ports that are not
    published: `expose`, loopback-bound or unpublished ones, which a NodePort Service would open
    on every node), they get their own Service `<service>-published`. A port published without a
    host port (random host port under Compose) stays in-cluster only; loopback-bound ports are
    R-PORTS-03."""
    fixed = node_port_mode(ctx) == "fixed"
    taken: dict[int, str] = {}
    pins = {name: _pinned(ctx, ctx.plans[name]) for name in sorted(ctx.plans)}
    for name in sorted(ctx.plans):
        for host_port, node_port in sorted(pins[name].items()):
            if node_port in taken:
                raise TranslateError(f"nodePort {node_port} is asked for twice ({taken[node_port]} and {name})",
                                     key_path=ctx.plans[name].x_source("node_ports"),
                                     hint="every Service needs its own nodePort")
            taken[node_port] = name
    for name in sorted(ctx.plans):
        plan = ctx.plans[name]
        svc = plan.service
        published: list[tuple[str, Any, int, dict[str, Any]]] = []
        if plan.host is not None:  # a sidecar has no Service: R-NET-04 reports its ports
            for i, port in enumerate(svc.ports):
                ctx.trace(src(plan, f"ports[{i}]") + ".published", [], "R-PORTS-02", "unsupported",
                          f"runs in {plan.host.name}'s pod and has no Service of its own", service=svc.name)
            continue
        for i, port in enumerate(svc.ports):
            s = src(plan, f"ports[{i}]")
            entry = next(p for p in plan.service_ports
                         if p["port"] == port.target and p["protocol"] == port.protocol.upper())
            if port.published in (None, ""):
                ctx.trace(s + ".published", [], "R-PORTS-02", "approximated",
                          "random host port under Compose; reachable in-cluster only", service=svc.name)
                continue
            try:
                host_port = int(port.published)
            except ValueError as exc:
                raise TranslateError(f"published port {port.published!r} is not a single port",
                                     key_path=s, hint="the loader should have expanded ranges") from exc
            if is_loopback(port.host_ip):
                loopback_port(ctx, plan, s, port.host_ip or "", host_port, entry=entry)
                continue
            plan.published.setdefault(entry["name"], []).append(host_port)
            pinned = pins[name].get(host_port)
            if "nodePort" not in entry and (pinned is not None or fixed):
                node_port = pinned if pinned is not None else _free_node_port(host_port, set(taken))
                taken.setdefault(node_port, name)
                entry["nodePort"] = node_port
            published.append((s, port, host_port, entry))
        forced = plan.x.get("service_type")
        if forced is None and plan.published:
            forced = ctx.top_x.get("service_type") or "NodePort"
        if forced:
            kind = SERVICE_TYPES.get(str(forced).lower())
            if kind is None:
                raise TranslateError(f"unknown service_type {forced!r}", key_path=plan.x_source("service_type"),
                                     hint="use ClusterIP, NodePort, LoadBalancer or Headless")
            plan.service_type = kind
            if str(forced).lower() == HEADLESS:
                plan.headless = True  # clusterIP: None, DNS answers with the pod IPs (R-SVC-01)
        if plan.service_type == "ClusterIP":
            for p in plan.service_ports:
                p.pop("nodePort", None)
        target = f"{plan.name}-published" if separate_published(plan) else plan.name
        for s, port, host_port, entry in published:
            if "nodePort" in entry:
                ctx.host_ports.append(HostPort(service=target, host_port=host_port, node_port=entry["nodePort"],
                                               protocol=port.protocol, host_ip=port.host_ip or ALL_INTERFACES))
                reason = f"host port {host_port} → nodePort {entry['nodePort']} (kind extraPortMappings)"
            elif plan.service_type == "ClusterIP":
                reason = f"host port {host_port}: service_type ClusterIP, reachable in-cluster only"
            else:
                reason = f"host port {host_port}: a {plan.service_type} nodePort picked by the API server " \
                         "(x-kubemap node_ports fixes one)"
            if port.mode == "host":
                reason += "; mode host treated like ingress"
            ctx.trace(s + ".published", f"Service/{target} .spec.ports[name={entry['name']}]",
                      "R-PORTS-02", "approximated", reason, service=svc.name)
    ctx.host_ports.sort(key=lambda e: (e.service, e.host_port, e.protocol))


def separate_published(plan: ServicePlan) -> bool:
    """Do the published ports need a Service of their own (`<service>-published`)?"""
    if plan.service_type == "ClusterIP" or not plan.published or plan.x.get("service_type"):
        return False
    deploy = plan.service.deploy
    headless = plan.headless or plan.kind == "StatefulSet" or bool(deploy and deploy.endpoint_mode == "dnsrr")
    return headless or any(p["name"] not in plan.published for p in plan.service_ports)


@rule("R-PORTS-03", "ports bound to 127.0.0.1 → ClusterIP only (no NodePort)", keys=("ports",))
def loopback_port(ctx: Context, plan: ServicePlan, source: str, host_ip: str, host_port: int,
                  *, entry: dict[str, Any]) -> None:
    """`"127.0.0.1:9229:9229"` publishes a port on the Docker host's loopback interface only:
    nobody else can reach it (a debugger, an admin UI behind a local reverse proxy). A NodePort
    would open it on every node of the cluster, and `--network-policies` would allow it from
    anywhere. So the port stays a ClusterIP port of the service's Service (peers in the cluster
    reach it, as they would on the Compose network), gets no nodePort and no kind mapping, and
    the finding says how to reach it from your machine: `kubectl port-forward`."""
    t = ctx.tracer(plan)
    t.approximated(source + ".published", f"Service/{plan.name} .spec.ports[name={entry['name']}]", "R-PORTS-03",
                   f"bound to {host_ip}: ClusterIP only, no NodePort")
    ctx.finding("KM-I-LOOPBACK-PORT", source,
                f"port {entry['port']} is published on {host_ip}:{host_port} only: it gets no NodePort",
                f"kubectl port-forward service/{plan.name} {host_port}:{entry['port']}", severity="info")


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
    is one with `deploy.endpoint_mode: dnsrr`. Jobs get a Service only when they have ports.
    Published ports that cannot live on it get `<service>-published` (R-PORTS-02)."""
    if plan.kind == "Job" and not plan.service_ports:
        plan.has_service = False
        return
    ctx.add(plan.service.name, service_body(ctx, plan, plan.name))
    if separate_published(plan):
        ctx.add(plan.service.name, service_body(ctx, plan, f"{plan.name}-published", role="published"))


def service_body(ctx: Context, plan: ServicePlan, name: str, role: str = "main") -> dict[str, Any]:
    """The Service `name` for the plan's pods. role main: all ports, the service type unless the
    published ports have their own Service; alias: all ports, never a nodePort (R-SVC-02);
    published: only the published ports, with the service type."""
    spec: dict[str, Any] = {"selector": selector(plan)}
    headless = (plan.headless or plan.kind == "StatefulSet" or not plan.service_ports) and role != "published"
    service_type = plan.service_type
    if role == "alias" or (role == "main" and separate_published(plan)):
        service_type = "ClusterIP"
    if headless:
        spec["clusterIP"] = "None"
    elif service_type != "ClusterIP":
        spec["type"] = service_type
    ports = [dict(p) for p in plan.service_ports if role != "published" or p["name"] in plan.published]
    if ports:
        if headless or service_type == "ClusterIP":
            for p in ports:
                p.pop("nodePort", None)
        spec["ports"] = ports
    if plan.kind == "StatefulSet" and role == "main":
        spec["publishNotReadyAddresses"] = False
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata(ctx, name, plan.name), "spec": spec}


@rule("R-SVC-02", "container_name / links / network aliases → extra Services", keys=("container_name", "links", "networks"))
def alias_services(ctx: Context, plan: ServicePlan, reserved: set[str]) -> None:
    """Compose lets peers reach a container by `container_name`, by a `links` alias
    (`service:alias`) and by network `aliases`. Each such name becomes an extra Service with the
    same selector and ports (ExternalName would point at a DNS name, not at pods), always
    ClusterIP (headless when the service's is): a name is for peers, and a copy of a NodePort
    would ask the API server for a nodePort that is already taken. A name that is
    not a valid RFC 1123 label is sanitised and reported; a name already used by a service is
    skipped and reported. Aliases with dots (`db.local`) cannot be Service names: reported."""
    t = ctx.tracer(plan)
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
            t.unsupported(s, "R-SVC-02", f"unknown service {target!r}", f"link to unknown service {target!r}")
            continue
        if not alias or alias == target:
            t.mapped(s, f"Service/{target_plan.name}", "R-SVC-02", reason="the Service name already resolves")
            continue
        _alias_service(ctx, target_plan, alias, s, reserved, owner=svc.name)
    for alias, s in wanted:
        _alias_service(ctx, plan.host or plan, alias, s, reserved, owner=svc.name)


def _alias_service(ctx: Context, plan: ServicePlan, alias: str, source: str, reserved: set[str],
                   *, owner: str) -> None:
    if plan.kind == "Job" and not plan.service_ports:
        ctx.trace(source, [], "R-SVC-02", "approximated",
                  f"{plan.name} is a Job without ports: it has no Service, so no alias either", service=owner)
        return
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
    ctx.add(plan.service.name, service_body(ctx, plan, label, role="alias"))
    exact = label == alias
    ctx.trace(source, f"Service/{label}", "R-SVC-02", "mapped" if exact else "approximated",
              f"selector Service for {plan.name}'s pods" + ("" if exact else f"; DNS name is {label!r}, not {alias!r}"),
              service=owner)
    if not exact:
        ctx.finding("KM-W-ALIAS", source, f"alias {alias!r} is reachable as {label!r} only",
                    "use RFC 1123 names for aliases")
