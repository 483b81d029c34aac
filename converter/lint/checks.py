"""The lint checks. Each is a function `check(data) -> list[Finding]` with a stable code
(`KM-L-…`) and a docstring saying what would go wrong; `CHECKS` lists them in the order the
help text and docs/conversion.md show them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from converter.model import Finding
from converter.model.images import image_base, known_shellless
from converter.model.kube import RWO_MODES
from converter.model.ownership import ACCEPT_HOST_PATHS

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")
SHELLS = ("sh", "bash", "ash", "dash", "zsh")
NODE_PORT_RANGE = (30000, 32767)
# Where well-known images keep their data: a read-only mount there breaks them.
DATA_DIRS = {
    "postgres": "/var/lib/postgresql/data", "postgis": "/var/lib/postgresql/data",
    "timescaledb": "/var/lib/postgresql/data", "pgvector": "/var/lib/postgresql/data",
    "mysql": "/var/lib/mysql", "mariadb": "/var/lib/mysql", "percona": "/var/lib/mysql",
    "mongo": "/data/db", "mongodb": "/data/db", "redis": "/data", "valkey": "/data", "keydb": "/data",
    "elasticsearch": "/usr/share/elasticsearch/data", "opensearch": "/usr/share/opensearch/data",
    "rabbitmq": "/var/lib/rabbitmq", "clickhouse-server": "/var/lib/clickhouse", "minio": "/data",
    "grafana": "/var/lib/grafana", "prometheus": "/prometheus", "influxdb": "/var/lib/influxdb2",
    "cassandra": "/var/lib/cassandra", "couchdb": "/opt/couchdb/data", "neo4j": "/data",
    "etcd": "/etcd-data", "qdrant": "/qdrant/storage", "meilisearch": "/meili_data",
}
# Debuggers: their port, and what in a container's command or environment shows one runs.
DEBUGGERS = {9229: ("the Node.js inspector", "--inspect"), 5005: ("a Java debugger (JDWP)", "jdwp"),
             5678: ("debugpy", "debugpy"), 2345: ("the Delve debugger", "dlv"),
             9222: ("Chrome DevTools", "--remote-debugging-port")}
_PORT_CHECK = re.compile(r"\bnc\b|/dev/tcp|\bgetent\b|\bnslookup\b|create_connection|gethostbyname|\bcurl\b|\bwget\b")


@dataclass
class Pod:
    """One pod template (or Pod) of a workload, with where it sits."""

    kind: str
    name: str
    namespace: str
    path: str  # field path of the pod spec, e.g. ".spec.template.spec"
    spec: dict[str, Any]
    labels: dict[str, str]
    annotations: dict[str, str]

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass
class LintInput:
    objects: list[dict[str, Any]]
    shellless: dict[str, str] = field(default_factory=dict)
    pods: list[Pod] = field(default_factory=list)
    config_maps: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # (namespace, label, value) → pods carrying it: selectors are matched without a scan.
    by_label: dict[tuple[str, str, str], list[Pod]] = field(default_factory=dict)

    @classmethod
    def of(cls, objects: list[dict[str, Any]], shellless: dict[str, str]) -> LintInput:
        data = cls(objects=[o for o in objects if isinstance(o, dict)], shellless=shellless)
        data.pods = [pod for obj in data.objects for pod in _pods(obj)]
        data.config_maps = {(_namespace(o), str(_meta(o).get("name"))): o.get("data") or {}
                            for o in data.of_kind("ConfigMap")}
        for pod in data.pods:
            for key, value in pod.labels.items():
                data.by_label.setdefault((pod.namespace, str(key), str(value)), []).append(pod)
        return data

    def selected(self, namespace: str, selector: dict[str, Any]) -> list[Pod]:
        """The pods a Service selector matches (none for an empty selector)."""
        if not selector:
            return []
        first, *rest = sorted(selector.items())
        candidates = self.by_label.get((namespace, str(first[0]), str(first[1])), [])
        return [p for p in candidates if all(p.labels.get(k) == v for k, v in rest)]

    def of_kind(self, *kinds: str) -> Iterator[dict[str, Any]]:
        return (o for o in self.objects if o.get("kind") in kinds)

    def no_shell(self, image: str | None) -> str | None:
        if not image:
            return None
        return self.shellless.get(image) or known_shellless(image)


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _namespace(obj: dict[str, Any]) -> str:
    return str(_meta(obj).get("namespace") or "")


def _pods(obj: dict[str, Any]) -> Iterator[Pod]:
    kind = obj.get("kind")
    if kind not in WORKLOAD_KINDS:
        return
    meta = _meta(obj)
    if kind == "Pod":
        template, path = obj, ""
    elif kind == "CronJob":
        template = ((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec", {}).get("template") or {}
        path = ".spec.jobTemplate.spec.template"
    else:
        template, path = (obj.get("spec") or {}).get("template") or {}, ".spec.template"
    spec = template.get("spec") if isinstance(template, dict) else None
    if not isinstance(spec, dict):
        return
    tmeta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    yield Pod(kind=str(kind), name=str(meta.get("name", "")), namespace=_namespace(obj), path=path + ".spec",
              spec=spec, labels=dict(tmeta.get("labels") or {}), annotations=dict(tmeta.get("annotations") or {}))


def _containers(pod: Pod, which: str = "containers") -> Iterator[tuple[int, dict[str, Any]]]:
    for i, container in enumerate(pod.spec.get(which) or []):
        if isinstance(container, dict):
            yield i, container


def _finding(code: str, source: str, message: str, hint: str) -> Finding:
    return Finding(code=code, severity="warning", source=source, message=message, hint=hint)


def _argv(container: dict[str, Any]) -> list[str]:
    return [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]


def _runs_shell(argv: list[str]) -> bool:
    return bool(argv) and argv[0].rsplit("/", 1)[-1] in SHELLS


# ----------------------------------------------------------------------------- checks


def rwo_rolling_update(data: LintInput) -> list[Finding]:
    """KM-L-RWO-ROLLING: a Deployment whose pods mount a ReadWriteOnce claim and update with the
    default RollingUpdate starts the new pod before the old one stops: on another node it waits
    for ever (Multi-Attach), on the same node two processes share one data directory. Compose
    stops the old container first: `strategy: {type: Recreate}`."""
    modes = {(_namespace(o), _meta(o).get("name")): (o.get("spec") or {}).get("accessModes") or []
             for o in data.of_kind("PersistentVolumeClaim")}
    found = []
    for obj in data.of_kind("Deployment"):
        strategy = ((obj.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate")
        pod = next(_pods(obj), None)
        if pod is None or strategy == "Recreate":
            continue
        for volume in pod.spec.get("volumes") or []:
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim and any(m in RWO_MODES for m in modes.get((pod.namespace, claim), [])):
                found.append(_finding("KM-L-RWO-ROLLING", f"{pod.ref} .spec.strategy",
                                      f"mounts the ReadWriteOnce claim {claim} but updates with {strategy}: the new "
                                      "pod starts before the old one lets go of the volume",
                                      "set spec.strategy.type: Recreate"))
                break
    return found


def read_only_data_directory(data: LintInput) -> list[Finding]:
    """KM-L-RO-DATA: a read-only mount (readOnly, or a ConfigMap/Secret volume, which is always
    read-only) over the directory where the container's image keeps its data (postgres'
    /var/lib/postgresql/data, mysql's /var/lib/mysql, …): the database cannot start or write."""
    found = []
    for pod in data.pods:
        read_only_kinds = {v.get("name"): k for v in pod.spec.get("volumes") or [] if isinstance(v, dict)
                           for k in ("configMap", "secret", "downwardAPI", "projected") if k in v}
        for i, container in _containers(pod):
            data_dir = DATA_DIRS.get(image_base(str(container.get("image", ""))))
            if not data_dir:
                continue
            for mount in container.get("volumeMounts") or []:
                path = str(mount.get("mountPath", "")).rstrip("/")
                covers = path and (data_dir == path or data_dir.startswith(path + "/"))
                read_only = mount.get("readOnly") or mount.get("name") in read_only_kinds
                if covers and read_only and not mount.get("subPath"):
                    why = f"a {read_only_kinds[mount['name']]} volume" if mount.get("name") in read_only_kinds \
                        else "readOnly"
                    found.append(_finding("KM-L-RO-DATA", f"{pod.ref} {pod.path}.containers[{i}].volumeMounts",
                                          f"{path} is mounted read-only ({why}) but {data_dir} is where "
                                          f"{image_base(str(container['image']))} writes its data",
                                          "mount a PersistentVolumeClaim there, read-write"))
    return found


def shell_in_shellless_image(data: LintInput) -> list[Finding]:
    """KM-L-NO-SHELL: an init container (or an exec probe or hook) that runs `/bin/sh` in an
    image without a shell (FROM scratch, distroless, …) cannot start (`Init:RunContainerError`)
    or always fails."""
    found = []
    for pod in data.pods:
        for which in ("initContainers", "containers"):
            for i, container in _containers(pod, which):
                why = data.no_shell(container.get("image"))
                if not why:
                    continue
                where = f"{pod.ref} {pod.path}.{which}[{i}]"
                uses = []
                if which == "initContainers" and _runs_shell(_argv(container)):
                    uses.append("command")
                for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                    if _runs_shell(((container.get(probe) or {}).get("exec") or {}).get("command") or []):
                        uses.append(probe)
                for hook in ("postStart", "preStop"):
                    handler = ((container.get("lifecycle") or {}).get(hook) or {}).get("exec") or {}
                    if _runs_shell(handler.get("command") or []):
                        uses.append(f"lifecycle.{hook}")
                for use in uses:
                    found.append(_finding("KM-L-NO-SHELL", f"{where}.{use}",
                                          f"runs a shell in {container.get('image')}, which has none ({why})",
                                          "run it in an image with a shell, or without a shell (exec form)"))
    return found


def job_treated_as_server(data: LintInput) -> list[Finding]:
    """KM-L-JOB-SERVER: a Job runs to completion and is not restarted after it stops; one with
    ports, behind a Service, or that another workload waits for to accept connections (an init
    container probing its name) is a server in a Job's clothes: the name stops resolving when it
    ends, and after backoffLimit crashes it is gone for good."""
    found = []
    jobs = [p for p in data.pods if p.kind == "Job"]
    services = list(data.of_kind("Service"))
    for job in jobs:
        ports = [c.get("name") for _, c in _containers(job) if c.get("ports")]
        if ports:
            found.append(_finding("KM-L-JOB-SERVER", f"{job.ref} {job.path}.containers",
                                  f"the Job's container(s) {', '.join(map(str, ports))} declare ports",
                                  "make it a Deployment if it serves, or drop the ports"))
        for svc in services:
            if any(p is job for p in data.selected(_namespace(svc), (svc.get("spec") or {}).get("selector") or {})):
                found.append(_finding("KM-L-JOB-SERVER", f"Service/{_meta(svc).get('name')} .spec.selector",
                                      f"selects the pods of Job {job.name}, which stop when the Job completes",
                                      "serve from a Deployment"))
        for pod in data.pods:
            if pod is job or pod.namespace != job.namespace:
                continue
            for i, init in _containers(pod, "initContainers"):
                text = " ".join(_argv(init))
                if re.search(rf"(?<![\w.-]){re.escape(job.name)}(?![\w-])", text) and _PORT_CHECK.search(text) \
                        and "/apis/batch" not in text:
                    found.append(_finding("KM-L-JOB-SERVER", f"{pod.ref} {pod.path}.initContainers[{i}]",
                                          f"waits for Job {job.name} to answer on the network; a Job is not a "
                                          "server and may be finished before it is asked",
                                          "wait for the Job's completion, or run the dependency as a Deployment"))
    return found


def _process_text(data: LintInput, pod: Pod, with_env: bool = True) -> str:
    """Commands, args and (with_env) environment values of a pod's containers (ConfigMaps it
    loads with envFrom included, when they are among the objects), to look for debugger flags."""
    parts: list[str] = []
    for _, container in _containers(pod):
        parts += _argv(container)
        if not with_env:
            continue
        parts += [str(e.get("value", "")) for e in container.get("env") or [] if isinstance(e, dict)]
        for source in container.get("envFrom") or []:
            ref = (source.get("configMapRef") or {}).get("name") if isinstance(source, dict) else None
            parts += [str(v) for v in data.config_maps.get((pod.namespace, str(ref)), {}).values()]
    return " ".join(parts)


def loopback_port_exposed(data: LintInput) -> list[Finding]:
    """KM-L-LOOPBACK: a NodePort or LoadBalancer Service that exposes a debugger's port (the
    Node.js inspector on 9229 with `--inspect`, JDWP 5005, debugpy 5678, Delve 2345, Chrome
    DevTools 9222, when the pods' command or environment shows the debugger) or a port the
    container binds to 127.0.0.1: what Compose kept on the host's loopback is opened on every
    node (a debugger there is remote code execution)."""
    found = []
    for svc in data.of_kind("Service"):
        spec = svc.get("spec") or {}
        if spec.get("type") not in ("NodePort", "LoadBalancer"):
            continue
        pods = data.selected(_namespace(svc), spec.get("selector") or {})
        text = " ".join(_process_text(data, p) for p in pods)
        argv = " ".join(_process_text(data, p, with_env=False) for p in pods)
        for i, port in enumerate(spec.get("ports") or []):
            number = port.get("targetPort") if isinstance(port.get("targetPort"), int) else port.get("port")
            debugger = DEBUGGERS.get(number) if isinstance(number, int) else None
            why = debugger[0] if debugger and debugger[1] in text else None
            # A bind address in the command (`--bind 127.0.0.1:8000`), not a URL (`http://localhost:3000`).
            if why is None and re.search(rf"(?<![/\w.])(127\.0\.0\.1|localhost):{number}\b", argv):
                why = "a port the command binds to loopback"
            if why:
                found.append(_finding("KM-L-LOOPBACK", f"Service/{_meta(svc).get('name')} .spec.ports[{i}]",
                                      f"{spec['type']} exposes port {number} ({why}) on every node",
                                      f"keep it ClusterIP and use kubectl port-forward service/{_meta(svc).get('name')}"))
    return found


def duplicate_node_ports(data: LintInput) -> list[Finding]:
    """KM-L-NODEPORT: nodePorts are cluster-wide. Two Services asking for the same one (also in
    different namespaces) cannot both be created (`provided port is already allocated`), and
    one outside 30000–32767 is refused by a default API server."""
    owners: dict[int, str] = {}
    found = []
    for svc in data.of_kind("Service"):
        name = f"{_namespace(svc) + '/' if _namespace(svc) else ''}{_meta(svc).get('name')}"
        for i, port in enumerate((svc.get("spec") or {}).get("ports") or []):
            node_port = port.get("nodePort")
            if not isinstance(node_port, int):
                continue
            where = f"Service/{_meta(svc).get('name')} .spec.ports[{i}].nodePort"
            if not NODE_PORT_RANGE[0] <= node_port <= NODE_PORT_RANGE[1]:
                found.append(_finding("KM-L-NODEPORT", where, f"nodePort {node_port} is outside 30000-32767",
                                      "pick one in the API server's service-node-port-range"))
            owner = owners.setdefault(node_port, name)
            if owner != name:
                found.append(_finding("KM-L-NODEPORT", where, f"nodePort {node_port} is also asked for by {owner}",
                                      "leave nodePort out (the API server picks a free one) or choose another"))
    return found


def host_path_volumes(data: LintInput) -> list[Finding]:
    """KM-L-HOSTPATH: a hostPath volume gives the pod whatever the node it lands on has at that
    path, and Pod Security `baseline` forbids it. Paths listed in the pod template annotation
    `lint.kubemap.io/accept-host-paths` (kubemap writes it for host paths the Compose file
    mounts on purpose, with its own finding) are accepted."""
    found = []
    for pod in data.pods:
        accepted = {p.strip() for p in str(pod.annotations.get(ACCEPT_HOST_PATHS, "")).split(",") if p.strip()}
        for volume in pod.spec.get("volumes") or []:
            path = (volume.get("hostPath") or {}).get("path") if isinstance(volume, dict) else None
            if path and path not in accepted:
                found.append(_finding("KM-L-HOSTPATH", f"{pod.ref} {pod.path}.volumes[name={volume.get('name')}]",
                                      f"hostPath {path} ties the pod to the node's files; Pod Security baseline "
                                      "forbids it", f"use a PVC or ConfigMap, or accept it: annotation "
                                      f"{ACCEPT_HOST_PATHS}: {path}"))
    return found


def dns_none_without_resolver(data: LintInput) -> list[Finding]:
    """KM-L-DNS-NONE: `dnsPolicy: None` replaces the cluster DNS with `dnsConfig.nameservers`.
    Without any, or with only loopback or Docker's 127.0.0.11 (which exist in no pod), nothing
    resolves, not even in init containers; with others, Service names stop resolving."""
    found = []
    for pod in data.pods:
        if pod.spec.get("dnsPolicy") != "None":
            continue
        servers = [str(s) for s in (pod.spec.get("dnsConfig") or {}).get("nameservers") or []]
        usable = [s for s in servers if not s.startswith("127.") and s != "::1"]
        what = "no nameservers" if not servers else (
            f"only {', '.join(servers)}, which no pod can reach" if not usable else
            f"{', '.join(usable)} instead of the cluster DNS: Service names will not resolve")
        found.append(_finding("KM-L-DNS-NONE", f"{pod.ref} {pod.path}.dnsPolicy", f"dnsPolicy None with {what}",
                              "keep dnsPolicy ClusterFirst and add nameservers in dnsConfig"))
    return found


CHECKS: tuple[Callable[[LintInput], list[Finding]], ...] = (
    rwo_rolling_update, read_only_data_directory, shell_in_shellless_image, job_treated_as_server,
    loopback_port_exposed, duplicate_node_ports, host_path_volumes, dns_none_without_resolver,
)
