"""The picture's content: one node per Compose service with what it is in Compose and what it
became on Kubernetes, the arrows between services, and the network groups they sit in.

Built from the loaded Project (the Compose side) and the translated Bundle (the Kubernetes
side: the service's own objects, and the pod spec's references to claims, ConfigMaps and
Secrets). Pure: no files, no layout, no drawing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from converter.model import Bundle, ManifestObject, Project, Service

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
_INIT = re.compile(r"initContainers\[name=([^\]]+)\]")
CONDITION_LABEL = {"service_started": "started", "service_healthy": "healthy",
                   "service_completed_successfully": "completed"}


@dataclass(frozen=True)
class Attachment:
    """A small shape attached to a box: a named volume, secret, config (Compose) or a PVC,
    ConfigMap, Secret (Kubernetes)."""

    kind: str  # volume | secret | config | pvc | configmap | k8s-secret
    name: str


@dataclass(frozen=True)
class Side:
    """What one panel shows for a service."""

    title: str
    lines: tuple[str, ...]
    ports: tuple[str, ...]  # drawn as tabs on the box's top edge
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True)
class Node:
    service: str
    group: str  # key of its Group
    compose: Side
    kubernetes: Side


@dataclass(frozen=True)
class Edge:
    """An arrow from a service to one it needs. `kind`: depends_on | link | network_mode."""

    source: str
    target: str
    kind: str
    label: str  # Compose side, e.g. "healthy"
    k8s_label: str  # Kubernetes side, short: "init wait", "Job wait", "no wait", "DNS", "same pod"
    k8s_detail: str = ""  # the longer story, for the tooltip: "init container wait-for-redis"
    optional: bool = False  # `required: false`: drawn dashed (on Kubernetes: when nothing waits)


@dataclass(frozen=True)
class Group:
    """Services sharing the same set of Compose networks."""

    key: str
    label: str  # Compose side, e.g. "networks: back + front"
    k8s_label: str  # Kubernetes side: the NetworkPolicies, or that the pod network is flat


@dataclass(frozen=True)
class Graph:
    project: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...]

    def node(self, service: str) -> Node:
        return next(n for n in self.nodes if n.service == service)


def _relative(path: str, base: str) -> str:
    base = base.rstrip("/")
    if path == base:
        return "."
    return "./" + path[len(base) + 1:] if path.startswith(base + "/") else path


def _networks(service: Service) -> tuple[str, ...]:
    return tuple(sorted(service.networks)) if service.networks else ("default",)


def _group_keys(project: Project) -> dict[str, str]:
    """Group of each service: its network set; `network_mode: service:x` joins x's group."""
    keys: dict[str, str] = {}
    for name, service in project.services.items():
        mode = service.network_mode
        if mode in ("host", "none"):
            keys[name] = f"mode:{mode}"
        elif mode and not mode.startswith("service:") and mode not in ("bridge", "default"):
            keys[name] = f"mode:{mode.split(':', 1)[0]}"
        else:
            keys[name] = "net:" + ",".join(_networks(service))
    for name, service in project.services.items():
        mode = service.network_mode or ""
        host = mode.split(":", 1)[1] if mode.startswith("service:") else ""
        seen = {name}
        while host in project.services and host not in seen:  # follow service:a → service:b chains
            seen.add(host)
            keys[name] = keys[host]
            nxt = project.services[host].network_mode or ""
            host = nxt.split(":", 1)[1] if nxt.startswith("service:") else ""
    return keys


def _compose_side(name: str, service: Service, working_dir: str) -> Side:
    lines: list[str] = []
    if service.build is not None:
        lines.append("build " + _relative(service.build.context, working_dir))
    if service.image and service.build is None:
        lines.append("image " + service.image)
    mode = service.deploy.mode if service.deploy else None
    if mode in ("global", "global-job"):
        lines.append("global: one per node")
    else:
        replicas = service.deploy.replicas if service.deploy and service.deploy.replicas is not None else service.scale
        lines.append(f"replicas {replicas if replicas is not None else 1}")
    if service.network_mode:
        lines.append("network_mode " + service.network_mode)
    ports = tuple(f"{p.published}:{p.target}" + ("" if p.protocol == "tcp" else f"/{p.protocol}")
                  for p in service.ports if p.published)
    attachments: list[Attachment] = []
    for volume in service.volumes:
        if volume.type == "volume" and volume.source:
            attachments.append(Attachment("volume", volume.source))
    attachments += [Attachment("secret", s.source) for s in service.secrets]
    attachments += [Attachment("config", c.source) for c in service.configs]
    return Side(name, tuple(lines), tuple(dict.fromkeys(ports)), tuple(dict.fromkeys(attachments)))


def _pod_spec(body: dict[str, Any]) -> dict[str, Any]:
    spec = body.get("spec", {})
    if body.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    return spec.get("template", {}).get("spec", {}) or {}


def _references(workload: dict[str, Any]) -> list[Attachment]:
    """Claims, ConfigMaps and Secrets the workload's pod uses, in the order the pod names them."""
    pod = _pod_spec(workload)
    out: list[Attachment] = []
    for template in workload.get("spec", {}).get("volumeClaimTemplates", []) or []:
        out.append(Attachment("pvc", str(template.get("metadata", {}).get("name", ""))))
    for volume in pod.get("volumes", []) or []:
        if "persistentVolumeClaim" in volume:
            out.append(Attachment("pvc", str(volume["persistentVolumeClaim"].get("claimName", ""))))
        if "configMap" in volume:
            out.append(Attachment("configmap", str(volume["configMap"].get("name", ""))))
        if "secret" in volume:
            out.append(Attachment("k8s-secret", str(volume["secret"].get("secretName", ""))))
        for source in (volume.get("projected", {}) or {}).get("sources", []) or []:
            if "configMap" in source:
                out.append(Attachment("configmap", str(source["configMap"].get("name", ""))))
            if "secret" in source:
                out.append(Attachment("k8s-secret", str(source["secret"].get("name", ""))))
    for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
        for source in container.get("envFrom", []) or []:
            if "configMapRef" in source:
                out.append(Attachment("configmap", str(source["configMapRef"].get("name", ""))))
            if "secretRef" in source:
                out.append(Attachment("k8s-secret", str(source["secretRef"].get("name", ""))))
        for env in container.get("env", []) or []:
            ref = (env.get("valueFrom") or {})
            if "configMapKeyRef" in ref:
                out.append(Attachment("configmap", str(ref["configMapKeyRef"].get("name", ""))))
            if "secretKeyRef" in ref:
                out.append(Attachment("k8s-secret", str(ref["secretKeyRef"].get("name", ""))))
    order = {"pvc": 0, "configmap": 1, "k8s-secret": 2}
    unique = list(dict.fromkeys(a for a in out if a.name))
    return sorted(unique, key=lambda a: order[a.kind])  # stable: pod order within a kind


def _service_line(services: list[ManifestObject], host_ports: dict[int, int]) -> tuple[str, tuple[str, ...]]:
    """'Service x ClusterIP :8000' for the service's main Service, and the node ports as tabs."""
    if not services:
        return "no Service", ()
    main = services[0]
    spec = main.body.get("spec", {})
    kind = spec.get("type", "ClusterIP")
    if spec.get("clusterIP") == "None":
        kind = "headless"
    ports = [p.get("port") for p in spec.get("ports", []) or []]
    line = f"Service {main.name} {kind}" + ("" if not ports else " :" + ",".join(str(p) for p in ports))
    if len(services) > 1:
        line += f" (+{len(services) - 1} more)"
    tabs = []
    for service in services:
        for port in service.body.get("spec", {}).get("ports", []) or []:
            if "nodePort" in port:
                host = host_ports.get(int(port["nodePort"]))
                tabs.append(f"{host}→{port['nodePort']}" if host else f"nodePort {port['nodePort']}")
    return line, tuple(dict.fromkeys(tabs))


def _sidecar_host(bundle: Bundle, name: str) -> str | None:
    """'Kind/name' of the pod a `network_mode: service:x` service became a container of."""
    for entry in bundle.trace:
        if entry.source == f"services.{name}.network_mode" and entry.rule == "R-NET-04" and entry.targets:
            return entry.targets[0].split(" ", 1)[0]
    return None


def _k8s_side(name: str, bundle: Bundle, objects: list[ManifestObject], host_ports: dict[int, int]) -> Side:
    workload = next((o for o in objects if o.kind in WORKLOAD_KINDS), None)
    services = [o for o in objects if o.kind == "Service"]
    services.sort(key=lambda o: (o.name != name, o.name))  # the service's own name first
    lines: list[str] = []
    if workload is None:
        host = _sidecar_host(bundle, name)
        title = f"sidecar in {host}" if host else "nothing generated"
        attachments: tuple[Attachment, ...] = ()
    else:
        title = f"{workload.kind} {workload.name}"
        replicas = workload.body.get("spec", {}).get("replicas")
        if replicas is not None:
            lines.append(f"replicas {replicas}")
        attachments = tuple(_references(workload.body))
    service_line, tabs = _service_line(services, host_ports)
    if workload is not None or services:
        lines.insert(0, service_line)
    if workload is not None:
        waits = [str(c.get("name", "")) for c in _pod_spec(workload.body).get("initContainers", []) or []]
        if waits:
            lines.append("init " + ", ".join(waits))
    extra = sorted({o.kind for o in objects if o.kind in ("Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget")})
    if extra:
        lines.append("+ " + ", ".join(extra))
    return Side(title, tuple(lines), tabs, attachments)


def _trace_targets(bundle: Bundle) -> dict[str, list[str]]:
    targets: dict[str, list[str]] = {}
    for entry in bundle.trace:
        targets.setdefault(entry.source, []).extend(entry.targets)
    return targets


def _init_container(targets: list[str]) -> str | None:
    for target in targets:
        match = _INIT.search(target)
        if match:
            return match.group(1)
    return None


def _edges(project: Project, traced: dict[str, list[str]]) -> list[Edge]:
    merged: dict[tuple[str, str], Edge] = {}
    for name, service in project.services.items():
        found: list[Edge] = []
        for target, dep in service.depends_on.items():
            label = CONDITION_LABEL.get(dep.condition, dep.condition)
            init = _init_container(traced.get(f"services.{name}.depends_on.{target}", []))
            if init is None:
                k8s, detail = "no wait", "nothing waits for it on Kubernetes"
            else:
                k8s = "Job wait" if dep.condition == "service_completed_successfully" else "init wait"
                detail = f"init container {init}"
            found.append(Edge(name, target, "depends_on", label + ("" if dep.required else ", optional"), k8s,
                              detail, optional=not dep.required))
        for link in service.links:
            target, _, alias = link.partition(":")
            found.append(Edge(name, target, "link", f"link {alias}" if alias and alias != target else "link",
                              "DNS", "reached by its Service's DNS name"))
        mode = service.network_mode or ""
        if mode.startswith("service:"):
            found.append(Edge(name, mode.split(":", 1)[1], "network_mode", "shares network", "same pod",
                              "a container in the same pod"))
        for edge in found:
            if edge.target not in project.services or edge.target == name:
                continue  # disabled by a profile, or external: not in the picture
            key = (edge.source, edge.target)
            if key in merged:  # one arrow per pair: depends_on + link read as one
                first = merged[key]
                merged[key] = Edge(first.source, first.target, first.kind, f"{first.label} + {edge.label}",
                                   first.k8s_label, first.k8s_detail, first.optional and edge.optional)
            else:
                merged[key] = edge
    return list(merged.values())


def _group_label(key: str) -> str:
    kind, _, value = key.partition(":")
    if kind == "mode":
        return f"network_mode: {value}"
    networks = value.split(",")
    return ("network: " if len(networks) == 1 else "networks: ") + " + ".join(networks)


def _k8s_group_label(key: str, policies: dict[str, str]) -> str:
    kind, _, value = key.partition(":")
    if kind == "mode":
        return {"host": "hostNetwork: the node's network"}.get(value, f"network_mode {value}: not converted")
    names = [policies[n] for n in value.split(",") if n in policies]
    if not names:
        return f"{' + '.join(value.split(','))}: no NetworkPolicy"
    return ("NetworkPolicy " if len(names) == 1 else "NetworkPolicies ") + ", ".join(names)


def _network_policies(project: Project, traced: dict[str, list[str]]) -> dict[str, str]:
    """Compose network → the NetworkPolicy that admits its members (when generated)."""
    out: dict[str, str] = {}
    for name, service in project.services.items():
        for net in service.networks:
            for target in traced.get(f"services.{name}.networks.{net}", []):
                if target.startswith("NetworkPolicy/"):
                    out[net] = target.split(" ", 1)[0].split("/", 1)[1]
    return out


def extract_graph(project: Project, bundle: Bundle) -> Graph:
    """The picture's graph, in the Compose file's service order."""
    keys = _group_keys(project)
    traced = _trace_targets(bundle)
    host_ports = {p.node_port: p.host_port for p in bundle.host_ports}
    by_service: dict[str, list[ManifestObject]] = {}
    for obj in bundle.objects:
        if obj.service is not None:
            by_service.setdefault(obj.service, []).append(obj)
    nodes: list[Node] = []
    for name, service in project.services.items():
        objects = by_service.get(name, [])
        nodes.append(Node(name, keys[name], _compose_side(name, service, project.working_dir),
                          _k8s_side(name, bundle, objects, host_ports)))
    policies = _network_policies(project, traced)
    groups = [Group(key, _group_label(key), _k8s_group_label(key, policies))
              for key in dict.fromkeys(keys[name] for name in project.services)]
    return Graph(bundle.project, tuple(nodes), tuple(_edges(project, traced)), tuple(groups))
