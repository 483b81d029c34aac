"""Compose networks → (optional) NetworkPolicies; network_mode."""

from __future__ import annotations

from typing import Any

from converter.model.ownership import PROJECT_LABEL, SERVICE_LABEL
from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import metadata, project_label
from converter.translate.naming import dns_label
from converter.translate.rules import rule

NETWORK_LABEL = "net.kubemap.io/"


def service_networks(plan: ServicePlan) -> list[str]:
    """The networks a service is on: its `networks`, else Compose's implicit `default`."""
    svc = plan.service
    if svc.network_mode is not None:
        return []
    return sorted(svc.networks) if svc.networks else ["default"]


@rule("R-NET-01", "service networks → pod labels for NetworkPolicies", keys=("networks",))
def map_service_networks(ctx: Context, plan: ServicePlan) -> None:
    """Compose networks isolate services; the Kubernetes pod network is flat. A service's
    networks are recorded as pod labels `net.kubemap.io/<network>: "true"`, which the
    NetworkPolicies of R-NET-03 select on when `--network-policies` is given (otherwise every pod
    can reach every other, which is approximated). Network `aliases` are R-SVC-02; fixed
    `ipv4_address` / `ipv6_address` cannot be chosen for pods and are reported."""
    t = ctx.tracer(plan)
    svc = plan.service
    for net in service_networks(plan):
        if ctx.options.network_policies:
            plan.pod_labels[NETWORK_LABEL + dns_label(net)] = "true"
    for net, attach in sorted(svc.networks.items()):
        s = src(plan, f"networks.{net}")
        if ctx.options.network_policies:
            t.mapped(s, [f"{plan.ref} .spec.template.metadata.labels[{NETWORK_LABEL}{dns_label(net)}]",
                          f"NetworkPolicy/{project_label(ctx)}-net-{dns_label(net)}"], "R-NET-01")
        else:
            t.approximated(s, [], "R-NET-01",
                           "no isolation without --network-policies: the pod network is flat")
        if attach is None:
            continue
        for key in ("ipv4_address", "ipv6_address"):
            if getattr(attach, key):
                t.unsupported(f"{s}.{key}", "R-NET-01", "pod IPs cannot be chosen", f"fixed {key} is not converted",
                              "use the Service name instead of an IP")
        for key in sorted(attach.other):
            t.unsupported(f"{s}.{key}", "R-NET-01", f"network option {key} is not converted",
                          f"network option {key} is not converted")
        if attach.priority is not None:
            t.mapped(f"{s}.priority", [], "R-NET-01", reason="one pod network: no priority needed")


@rule("R-NET-02", "network_mode → hostNetwork / (reported)", keys=("network_mode",))
def map_network_mode(ctx: Context, plan: ServicePlan) -> None:
    """`network_mode: host` → `hostNetwork: true` with `dnsPolicy: ClusterFirstWithHostNet`
    (the pod uses the node's network, approximated: it is the node's, not the Docker host's).
    `network_mode: none` has no pod equivalent and is reported; `service:x` is R-NET-04 when it
    can be a sidecar, otherwise reported like `container:x`. `bridge` is the normal pod network."""
    svc = plan.service
    mode = svc.network_mode
    if mode is None:
        return
    t = ctx.tracer(plan)
    s = src(plan, "network_mode")
    if plan.host is not None:
        t.approximated(s, plan.container_field("image"), "R-NET-04",
                       f"sidecar container in {plan.host.name}'s pod: shares its network (localhost), "
                       "but is also scheduled, scaled and restarted with it")
    elif mode == "host":
        plan.pod["hostNetwork"] = True
        plan.pod.setdefault("dnsPolicy", "ClusterFirstWithHostNet")
        t.approximated(s, plan.pod_field("hostNetwork"), "R-NET-02",
                       "shares the Kubernetes node's network")
        ctx.finding("KM-W-HOST-NETWORK", s, "hostNetwork: ports bind on the node; one such pod per node and port")
    elif mode in ("bridge", "default"):
        t.mapped(s, [], "R-NET-02", reason="the normal pod network")
    else:
        t.unsupported(s, "R-NET-02", f"network_mode {mode} is not converted",
                      f"network_mode {mode} is not converted; the pod gets its own network",
                      "for service:x, reach x through its Service, or merge both containers into one pod by hand")


@rule("R-NET-03", "top-level networks → NetworkPolicies (--network-policies)", keys=("networks",))
def build_network_policies(ctx: Context) -> None:
    """Without `--network-policies`, networks are only traced (the pod network is flat). With
    it: one `<project>-default-deny` policy denies all ingress to the project's pods; per Compose
    network, `<project>-net-<network>` allows ingress to its members from pods of the same
    network (exactly Compose's rule: services talk when they share a network); per service with
    published ports or an Ingress, `<service>-published` allows ingress on those ports from
    anywhere (NodePort and ingress-controller traffic come from outside the project). Ports
    Compose binds to 127.0.0.1 are not published (R-PORTS-03) and stay closed. Egress is
    not restricted (`internal: true` networks are reported). `external` networks are reported."""
    project = ctx.project
    declared = set(project.networks)
    used = {n for plan in ctx.plans.values() for n in service_networks(plan)}
    for name in sorted(declared | ({"default"} & used)):
        net = project.networks.get(name)
        s = f"networks.{name}"
        label = dns_label(name)
        policy = f"{project_label(ctx)}-net-{label}"
        if net is not None and net.internal:
            ctx.unsupported(s + ".internal", "R-NET-03", "egress is not restricted",
                            f"internal network {name}: outbound traffic is not blocked")
        if net is not None and net.external:
            ctx.trace(s, [], "R-NET-03", "approximated", "external network: treated as a project network")
        if net is not None:
            _network_options(ctx, net, s)
        if name not in used:
            if net is not None:
                ctx.trace(s, [], "R-NET-03", reason="not used by any converted service")
            continue
        if not ctx.options.network_policies:
            if net is not None:
                ctx.trace(s, [], "R-NET-03", "approximated", "flat pod network; use --network-policies to isolate")
            continue
        match = {NETWORK_LABEL + label: "true"}
        ctx.add(None, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                       "metadata": metadata(ctx, policy, None),
                       "spec": {"podSelector": {"matchLabels": match}, "policyTypes": ["Ingress"],
                                "ingress": [{"from": [{"podSelector": {"matchLabels": match}}]}]}})
        if net is not None:
            ctx.trace(s, f"NetworkPolicy/{policy}", "R-NET-03")
    if not ctx.options.network_policies or not ctx.plans:
        return
    deny = f"{project_label(ctx)}-default-deny"
    ctx.add(None, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                   "metadata": metadata(ctx, deny, None),
                   "spec": {"podSelector": {"matchLabels": {PROJECT_LABEL: project_label(ctx)}},
                            "policyTypes": ["Ingress"]}})
    for name in sorted(ctx.plans):
        plan = ctx.plans[name]
        # Only what Compose publishes off loopback (R-PORTS-02/03), or what x-kubemap exposes.
        ports = [p for p in plan.service_ports if p["name"] in plan.published]
        if plan.x.get("service_type") and plan.service_type != "ClusterIP":
            ports = plan.service_ports
        if plan.x.get("ingress"):
            ports = plan.service_ports
        if not ports:
            continue
        rule_ports: list[dict[str, Any]] = [{"port": p["port"], "protocol": p["protocol"]} for p in ports]
        ctx.add(plan.service.name, {
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": metadata(ctx, f"{plan.name}-published", plan.name),
            "spec": {"podSelector": {"matchLabels": {SERVICE_LABEL: plan.name}},
                     "policyTypes": ["Ingress"], "ingress": [{"ports": rule_ports}]}})


def assign_sidecar_hosts(ctx: Context) -> None:
    """Mark services with `network_mode: service:x` as sidecars of x when that can work."""
    for name in sorted(ctx.plans):
        plan = ctx.plans[name]
        mode = plan.service.network_mode or ""
        if not mode.startswith("service:"):
            continue
        host = ctx.plans.get(mode.split(":", 1)[1])
        if host is None or host is plan or (host.service.network_mode or "").startswith("service:"):
            continue
        if "Job" in (plan.kind, host.kind):
            continue
        plan.host = host
        plan.has_service = False


@rule("R-NET-04", "network_mode: service:x → sidecar container in x's pod", keys=("network_mode",))
def merge_sidecar(ctx: Context, plan: ServicePlan) -> None:
    """A service with `network_mode: service:x` shares x's network namespace: it reaches x on
    localhost and x's ports are its ports. In Kubernetes only containers of one pod share a
    network, so the service becomes a second container (named after it) in x's pod, with its
    own image, command, env, probes and mounts (its pod volumes are renamed `<service>-<volume>`
    unless x has the identical volume). It has no workload or Service of its own; peers that
    depend on it wait for x. Differences: it is scheduled, scaled and restarted together with
    x, and x's pod-level settings win. Jobs, chains (x itself a sidecar) and unknown services
    stay reported (R-NET-02)."""
    host = plan.host
    assert host is not None
    rename: dict[str, str] = {}
    for vol in plan.volumes:
        if vol in host.volumes and "emptyDir" not in vol:  # same PVC/ConfigMap/Secret: share it
            rename[vol["name"]] = vol["name"]
            continue
        new = dns_label(f"{plan.name}-{vol['name']}")
        rename[vol["name"]] = new
        host.volumes.append({**vol, "name": new})
    container: dict[str, Any] = {"name": plan.name, **plan.container}
    if plan.mounts:
        container["volumeMounts"] = sorted(({**m, "name": rename[m["name"]]} for m in plan.mounts),
                                           key=lambda m: (m["mountPath"], m["name"]))
    host.sidecars.append(container)
    host.rwo_claims.extend(c for c in plan.rwo_claims if c not in host.rwo_claims)
    names = {c["name"] for c in host.init_containers}
    for init in plan.init_containers:
        if init["name"] in names:
            continue  # the host already waits for the same dependency
        host.init_containers.append(init)
    for key, value in plan.pod.items():
        host.pod.setdefault(key, value)
    if plan.service_ports:
        s = src(plan, "ports")
        ctx.finding("KM-W-SIDECAR-PORTS", s, f"ports of {plan.service.name} belong on {host.service.name} "
                    "(it shares that network); they are not published", f"move them to {host.service.name}")


def _network_options(ctx: Context, net: Any, source: str) -> None:
    """Drivers and IPAM have no meaning for pods; the common default drivers are not worth a warning."""
    if net.driver in ("bridge", "overlay", "default"):
        ctx.trace(source + ".driver", [], "R-NET-03", reason=f"{net.driver}: the cluster's pod network plays its role")
    elif net.driver:
        ctx.unsupported(source + ".driver", "R-NET-03", f"network driver {net.driver} has no pod equivalent",
                        f"network driver {net.driver} is not converted")
    for key in sorted(net.other):
        if key in ("name", "attachable"):
            ctx.trace(f"{source}.{key}", [], "R-NET-03", reason="no effect on pods")
            continue
        ctx.unsupported(f"{source}.{key}", "R-NET-03", f"network option {key} has no pod equivalent",
                        f"network option {key} is not converted")
