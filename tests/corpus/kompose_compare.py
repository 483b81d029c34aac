"""Compare kubemap's output with Kompose's expected output for Kompose's own fixtures.

Not a full structural diff (kubemap adds hardening, labels, probes Kompose never makes): each
object is reduced to *facets*, the things a Compose file decides (Service ports, container image,
command, args, effective environment, container ports, probe handlers, mounts, resources,
Compose-driven securityContext fields, replicas, workload kind) plus which objects exist. Facets
are compared ignoring list order and Kompose's own labels/annotations. Every differing facet is
then classified by the first matching rule in CLASSIFIERS (specific rules first; the catch-all for
services driven by Kompose's own `kompose.*` labels comes last):

- same: equal;
- fix: kubemap fixes a Kompose bug (the rule names the bug);
- design: a deliberate difference in approach (the rule says why);
- todo: a known gap in kubemap (the rule says what);
a difference no rule matches is *unclassified*, and the test fails on it.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from converter.model import Project

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "Pod", "CronJob", "ReplicationController")
# Flags that do not change what Kompose emits; any flag kubemap_flags() does not know makes an
# entry incomparable (it asks Kompose for something kubemap has no flag for).
IGNORED_FLAGS = {"--stdout", "--with-kompose-annotation=false", "convert", "-f"}


# ---------------------------------------------------------------- facets


def _pod_spec(body: dict[str, Any]) -> dict[str, Any]:
    kind = body.get("kind")
    spec = body.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {}
    return (spec.get("template") or {}).get("spec") or {}


def _config_data(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, str]:
    for obj in objects:
        if obj.get("kind") == kind and (obj.get("metadata") or {}).get("name") == name:
            data = dict(obj.get("data") or {})
            if kind == "Secret":
                data = {k: base64.b64decode(v).decode("utf-8", "replace") for k, v in data.items()}
                data.update(obj.get("stringData") or {})
            return {k: str(v) for k, v in data.items()}
    return {}


def effective_env(container: dict[str, Any], objects: list[dict[str, Any]]) -> dict[str, str]:
    """What the process sees: envFrom ConfigMaps/Secrets, then env entries (later wins), with
    configMapKeyRef/secretKeyRef resolved against the same output."""
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            data = _config_data(objects, "ConfigMap", source["configMapRef"]["name"])
        else:
            data = _config_data(objects, "Secret", (source.get("secretRef") or {}).get("name", ""))
        env.update({prefix + k: v for k, v in data.items()})
    for entry in container.get("env") or []:
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
            continue
        ref = entry.get("valueFrom") or {}
        if "configMapKeyRef" in ref:
            key_ref = ref["configMapKeyRef"]
            env[entry["name"]] = _config_data(objects, "ConfigMap", key_ref["name"]).get(key_ref["key"], "")
        elif "secretKeyRef" in ref:
            key_ref = ref["secretKeyRef"]
            env[entry["name"]] = _config_data(objects, "Secret", key_ref["name"]).get(key_ref["key"], "")
        else:
            env[entry["name"]] = f"<{next(iter(ref), 'valueFrom')}>"
    return env


def probe_handler(probe: dict[str, Any] | None) -> Any:
    if not probe:
        return None
    if "exec" in probe:
        return ["exec", *probe["exec"].get("command", [])]
    if "httpGet" in probe:
        return ["httpGet", str(probe["httpGet"].get("path", "/")), str(probe["httpGet"].get("port"))]
    if "tcpSocket" in probe:
        return ["tcpSocket", str(probe["tcpSocket"].get("port"))]
    return [next(iter(probe), "?")]


def _security(container: dict[str, Any]) -> dict[str, Any]:
    context = container.get("securityContext") or {}
    caps = context.get("capabilities") or {}
    result = {
        "privileged": bool(context.get("privileged", False)),
        "readOnlyRootFilesystem": bool(context.get("readOnlyRootFilesystem", False)),
        "runAsUser": context.get("runAsUser"),
        "cap_add": sorted(caps.get("add") or []),
    }
    return result


_SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "m": 1e-3}


def quantity(value: Any) -> float | str:
    """A Kubernetes quantity as a number, so "10e3" equals "10000" and "0.5" equals "500m"."""
    text = str(value)
    for suffix, factor in _SUFFIX.items():
        if text.endswith(suffix):
            try:
                return float(text[: -len(suffix)]) * factor
            except ValueError:
                return text
    try:
        return float(text)
    except ValueError:
        return text


def _resources(resources: dict[str, Any]) -> dict[str, Any]:
    return {part: {k: quantity(v) for k, v in (values or {}).items()} for part, values in resources.items()}


def facets(objects: list[dict[str, Any]]) -> dict[tuple[str, str, str], Any]:
    """(kind-or-group, name, facet) → comparable value."""
    result: dict[tuple[str, str, str], Any] = {}
    env_configs = _env_config_names(objects)
    for obj in objects:
        kind = str(obj.get("kind"))
        name = str((obj.get("metadata") or {}).get("name"))
        if kind == "Service":
            spec = obj.get("spec") or {}
            result[("Service", name, "ports")] = sorted(
                (int(p.get("port", 0)), str(p.get("targetPort", p.get("port"))), p.get("protocol", "TCP"))
                for p in spec.get("ports") or []
            )
            result[("Service", name, "type")] = spec.get("type", "ClusterIP")
        elif kind in WORKLOAD_KINDS:
            result[("workload", name, "kind")] = kind
            if kind in ("Deployment", "StatefulSet"):
                result[("workload", name, "replicas")] = (obj.get("spec") or {}).get("replicas", 1)
            pod = _pod_spec(obj)
            containers = pod.get("containers") or []
            main = next((c for c in containers if c.get("name") == name), containers[0] if containers else {})
            result[("workload", name, "image")] = main.get("image")
            result[("workload", name, "command")] = main.get("command")
            result[("workload", name, "args")] = main.get("args")
            result[("workload", name, "env")] = effective_env(main, objects)
            result[("workload", name, "containerPorts")] = sorted(
                (int(p["containerPort"]), p.get("protocol", "TCP")) for p in main.get("ports") or []
            )
            result[("workload", name, "livenessProbe")] = probe_handler(main.get("livenessProbe"))
            result[("workload", name, "readinessProbe")] = probe_handler(main.get("readinessProbe"))
            result[("workload", name, "mountPaths")] = sorted(m["mountPath"] for m in main.get("volumeMounts") or [])
            result[("workload", name, "resources")] = _resources(main.get("resources") or {})
            result[("workload", name, "security")] = _security(main)
        elif kind == "PersistentVolumeClaim":
            spec = obj.get("spec") or {}
            result[("PersistentVolumeClaim", name, "storage")] = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        elif kind == "ConfigMap" and name in env_configs:
            continue  # environment ConfigMaps are compared through the effective env
        elif kind == "Secret" and name in env_configs:
            continue
        else:
            result[(kind, name, "exists")] = True
    return result


def _env_config_names(objects: list[dict[str, Any]]) -> set[str]:
    names = set()
    for obj in objects:
        if obj.get("kind") not in WORKLOAD_KINDS:
            continue
        for container in _pod_spec(obj).get("containers") or []:
            for source in container.get("envFrom") or []:
                ref = source.get("configMapRef") or source.get("secretRef") or {}
                names.add(ref.get("name"))
            for entry in container.get("env") or []:
                ref = (entry.get("valueFrom") or {})
                ref = ref.get("configMapKeyRef") or ref.get("secretKeyRef") or {}
                if ref:
                    names.add(ref.get("name"))
    return names


# ---------------------------------------------------------------- classification


@dataclass(frozen=True)
class Difference:
    fixture: str
    key: tuple[str, str, str]
    kompose: Any
    kubemap: Any


@dataclass
class CompareContext:
    project: Project
    kubemap_objects: list[dict[str, Any]]
    kompose_objects: list[dict[str, Any]] = field(default_factory=list)

    def kompose_names(self, kind: str) -> set[str]:
        return {str((o.get("metadata") or {}).get("name")) for o in self.kompose_objects if o.get("kind") == kind}

    def service(self, name: str) -> Any:
        """The compose service an object name belongs to (Kompose splits Services into
        <name>-tcp / <name>-udp; container_name aliases name a Service too)."""
        for candidate in (name, name.removesuffix("-tcp"), name.removesuffix("-udp")):
            for service in self.project.services.values():
                if candidate in (service.name, service.name.replace("_", "-").lower(), service.container_name):
                    return service
        return None

    def statefulset_claims(self) -> set[str]:
        return {
            template["metadata"]["name"]
            for obj in self.kubemap_objects if obj.get("kind") == "StatefulSet"
            for template in (obj.get("spec") or {}).get("volumeClaimTemplates") or []
        }


Predicate = Callable[[Difference, CompareContext], bool]


@dataclass(frozen=True)
class Classifier:
    verdict: str  # fix | design | todo
    reason: str
    applies: Predicate


def _label(service: Any, name: str) -> str | None:
    return (service.labels or {}).get(name) if service else None


def _service_per_protocol(d: Difference, ctx: CompareContext) -> bool:
    """Kompose splits a LoadBalancer Service into <name>-tcp / <name>-udp; kubemap keeps one."""
    if d.key[0] != "Service":
        return False
    name = d.key[1]
    if d.kubemap is None and d.kompose is not None and re.search(r"-(tcp|udp)$", name):
        return name.rsplit("-", 1)[0] in {str((o.get("metadata") or {}).get("name")) for o in ctx.kubemap_objects
                                          if o.get("kind") == "Service"}
    return d.kompose is None and bool(ctx.kompose_names("Service") & {f"{name}-tcp", f"{name}-udp"})


def _headless_dummy_port(d: Difference, ctx: CompareContext) -> bool:
    return d.key[2] == "ports" and d.kubemap == [] and bool(d.kompose) and all(p[0] == 55555 for p in d.kompose)


def _database_statefulset(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    return (d.key[2] == "kind" and d.kompose == "Deployment" and d.kubemap == "StatefulSet" and bool(service)
            and any(v.type == "volume" and v.source for v in service.volumes))


def _underscore_name(d: Difference, ctx: CompareContext) -> bool:
    name = d.key[1]
    if "_" in name:
        return d.kubemap is None and name.replace("_", "-") in {k[1] for k in facets(ctx.kubemap_objects)}
    return d.kompose is None and any(n.replace("_", "-") == name and "_" in n
                                     for n in ctx.kompose_names(d.key[0] if d.key[0] != "workload" else "Deployment"))


def _ingress_for_load_balancer(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    return (d.key[0] == "Ingress" and d.kompose is None and d.kubemap is True
            and bool(_label(service, "kompose.service.expose"))
            and str(_label(service, "kompose.service.type")).lower() == "loadbalancer")


def _build_image_name(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    return (d.key[2] == "image" and bool(service) and service.build is not None and service.image is None
            and d.kubemap == f"{ctx.project.name}-{service.name}:latest")


def _unread_label(d: Difference, ctx: CompareContext) -> bool:
    """A difference a Kompose label kubemap reports as not read explains (ephemeral storage)."""
    service = ctx.service(d.key[1])
    labels = [*service.labels, *((service.deploy.labels if service.deploy else {}) or {})] if service else []
    return (d.key[2] == "resources" and any(k.startswith("kompose.ephemeral-storage.") for k in labels)
            and all(set(v) == {"ephemeral-storage"} for v in (d.kompose or {}).values()) and not d.kubemap)


def _host_port_as_service_port(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    if d.key[2] != "ports" or not service or not d.kompose or not d.kubemap:
        return False
    published = {int(p.published) for p in service.ports if p.published and str(p.published).isdigit()}
    kompose_ports = {p[0] for p in d.kompose}
    ours_are_targets = all(str(p[0]) == p[1] for p in d.kubemap)
    return bool(kompose_ports & published) and ours_are_targets


def _shell_probe(d: Difference, ctx: CompareContext) -> bool:
    return (
        d.key[2].endswith("Probe") and isinstance(d.kubemap, list) and d.kubemap[:3] == ["exec", "/bin/sh", "-c"]
        and isinstance(d.kompose, list) and d.kompose[:1] == ["exec"] and d.kompose[1:3] != ["/bin/sh", "-c"]
    )


def _http_probe(d: Difference, ctx: CompareContext) -> bool:
    return (
        d.key[2].endswith("Probe") and isinstance(d.kubemap, list) and d.kubemap[:1] == ["httpGet"]
        and isinstance(d.kompose, list) and any(w in " ".join(d.kompose) for w in ("curl", "wget"))
    )


def _readiness_added(d: Difference, ctx: CompareContext) -> bool:
    return d.key[2] == "readinessProbe" and d.kompose is None and d.kubemap is not None


def _env_file_precedence(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    if d.key[2] != "env" or not service or not isinstance(d.kompose, dict) or not isinstance(d.kubemap, dict):
        return False
    changed = {k for k in set(d.kompose) | set(d.kubemap) if d.kompose.get(k) != d.kubemap.get(k)}
    return bool(changed) and all(
        k in service.environment and str(service.environment[k]) == d.kubemap.get(k) for k in changed
    )


def _dollar_rewrite(d: Difference, ctx: CompareContext) -> bool:
    if d.key[2] not in ("command", "args") or not d.kompose or not d.kubemap:
        return False
    return "$(" in json.dumps(d.kompose) and json.dumps(d.kompose).replace("$(", "$").replace(")", "") != json.dumps(d.kubemap)


def _extra_service_for_portless(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    return d.key[0] == "Service" and d.kompose is None and d.kubemap is not None and bool(service) and not service.ports


def _workload_kind_by_restart(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    if not service or d.kompose not in ("Pod", None):
        return False
    kind = d.key[2] == "kind" and d.kompose == "Pod" and d.kubemap in ("Job", "Deployment")
    replicas = d.key[2] == "replicas" and d.kompose is None and d.kubemap == 1 and service.restart in ("no", "on-failure")
    return kind or replicas


def _published_service(d: Difference, ctx: CompareContext) -> bool:
    return d.key[0] == "Service" and d.key[1].endswith("-published") and d.kompose is None


def _bind_directory_claim(d: Difference, ctx: CompareContext) -> bool:
    return d.key[0] == "PersistentVolumeClaim" and d.key[1].startswith("bind-") and d.kompose is None


def _host_path_kept(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    if d.key[2] != "mountPaths" or not service or not isinstance(d.kubemap, list):
        return False
    added = set(d.kubemap) - set(d.kompose or [])
    by_target = {v.target: v for v in service.volumes}
    return bool(added) and all(
        t in by_target and by_target[t].type == "bind"
        and (ctx.project.host_paths.get(by_target[t].source or "") is None
             or ctx.project.host_paths[by_target[t].source or ""].kind == "outside")
        for t in added
    )


def _nodeport_for_published(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    return (d.key[0] == "Service" and d.key[2] == "type" and d.kubemap == "NodePort" and d.kompose in ("ClusterIP", None)
            and bool(service) and any(p.published for p in service.ports))


def _container_name_service(d: Difference, ctx: CompareContext) -> bool:
    return d.key[0] == "Service" and d.kompose is None and any(
        s.container_name == d.key[1] and s.name != d.key[1] for s in ctx.project.services.values()
    )


def _network_mode_service(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    return bool(service and (service.network_mode or "").startswith("service:"))


def _bind_as_claim(d: Difference, ctx: CompareContext) -> bool:
    return d.key[0] == "PersistentVolumeClaim" and re.search(r"-claim\d+$", d.key[1]) is not None and d.kubemap is None


def _claim_template(d: Difference, ctx: CompareContext) -> bool:
    return d.key[0] == "PersistentVolumeClaim" and d.kubemap is None and any(
        d.key[1] == claim or d.key[1].endswith("-" + claim) for claim in ctx.statefulset_claims()
    )


def _default_pvc_size(d: Difference, ctx: CompareContext) -> bool:
    return d.key[0] == "PersistentVolumeClaim" and d.kompose == "100Mi" and d.kubemap == "1Gi"


def _bind_configmap_names(d: Difference, ctx: CompareContext) -> bool:
    if d.key[0] != "ConfigMap":
        return False
    kompose_style = re.search(r"-cm\d+$", d.key[1]) is not None and d.kubemap is None
    kubemap_style = re.search(r"-(dir|file)-", d.key[1]) is not None and d.kompose is None
    return kompose_style or kubemap_style


def _missing_bind_source(d: Difference, ctx: CompareContext) -> bool:
    service = ctx.service(d.key[1])
    if d.key[2] != "mountPaths" or not service or not isinstance(d.kompose, list):
        return False
    dropped = set(d.kompose) - set(d.kubemap or [])
    by_target = {v.target: v for v in service.volumes}
    return bool(dropped) and all(
        t in by_target and by_target[t].type == "bind"
        and (ctx.project.host_paths.get(by_target[t].source or "") is None
             or ctx.project.host_paths[by_target[t].source or ""].kind == "missing")
        for t in dropped
    )


def _windows_path(d: Difference, ctx: CompareContext) -> bool:
    return d.key[2] == "mountPaths" and any(re.match(r"^[A-Za-z]:\\", p) for p in d.kompose or [])


def _network_policy_shape(d: Difference, ctx: CompareContext) -> bool:
    return d.key[0] == "NetworkPolicy"


def _env_file_self_interpolation(d: Difference, ctx: CompareContext) -> bool:
    return d.key[2] == "env" and isinstance(d.kompose, dict) and isinstance(d.kubemap, dict) and any(
        d.kompose.get(k) != d.kubemap.get(k) and k == "COMPOSE_PROFILES" for k in d.kompose
    )


CLASSIFIERS: list[Classifier] = [
    Classifier("fix", "Kompose makes the published host port the Service port; peers call the container port", _host_port_as_service_port),
    Classifier("fix", "Kompose runs a shell healthcheck as an exec probe without a shell", _shell_probe),
    Classifier("design", "curl/wget localhost healthcheck becomes an httpGet probe (no curl needed in the image)", _http_probe),
    Classifier("design", "kubemap adds a readiness probe from the healthcheck (Kompose: liveness only)", _readiness_added),
    Classifier("fix", "Kompose lets env_file override inline environment (Compose: inline wins)", _env_file_precedence),
    Classifier("fix", "Kompose rewrites $VAR in commands to $(VAR)", _dollar_rewrite),
    Classifier("fix", "Kompose makes no Service for a port-less service, so its DNS name dies", _extra_service_for_portless),
    Classifier("design", "restart no/on-failure: a Job when one-shot, a Deployment when long-running (Kompose: a bare Pod)", _workload_kind_by_restart),
    Classifier("design", "published ports that cannot share the service's Service get <service>-published (Kompose: one Service)", _published_service),
    Classifier("design", "a read-write or missing bind directory is state: a claim bind-<path> (Kompose: <svc>-claimN)", _bind_directory_claim),
    Classifier("design", "a bind of a host path outside the project is a hostPath volume, never read (Kompose drops it)", _host_path_kept),
    Classifier("design", "published ports make a NodePort Service so kind can map the host port (Kompose: ClusterIP, host port lost)", _nodeport_for_published),
    Classifier("fix", "Kompose drops container_name; kubemap keeps that DNS name with an extra Service", _container_name_service),
    Classifier("todo", "network_mode: service:x is reported, not yet merged into x's pod as a sidecar (Kompose merges it)", _network_mode_service),
    Classifier("design", "Kompose turns bind mounts into empty PVCs (<svc>-claimN); kubemap mounts the files (ConfigMap) or reports the bind", _bind_as_claim),
    Classifier("design", "a database with a named volume is a StatefulSet: its PVC comes from volumeClaimTemplates", _claim_template),
    Classifier("design", "default PVC size is 1Gi (Kompose: 100Mi); x-kubemap sets it", _default_pvc_size),
    Classifier("design", "bind-mounted files/dirs become ConfigMaps named after the file (Kompose: <svc>-cmN)", _bind_configmap_names),
    Classifier("design", "a bind whose source is missing on disk is reported, not mounted as an empty volume", _missing_bind_source),
    Classifier("design", "Windows host paths cannot be mounted in Kubernetes; kubemap reports them", _windows_path),
    Classifier("design", "NetworkPolicies: default-deny plus one allow policy per Compose network and for published ports (Kompose: one per network)", _network_policy_shape),
    Classifier("design", "Kompose splits a LoadBalancer Service per protocol (<svc>-tcp/-udp); kubemap keeps one Service (mixed protocols are allowed since Kubernetes 1.26)", _service_per_protocol),
    Classifier("fix", "Kompose gives a headless Service a made-up port 55555; kubemap's has no port (DNS needs none)", _headless_dummy_port),
    Classifier("design", "a database with a named volume is a StatefulSet (Kompose: a Deployment)", _database_statefulset),
    Classifier("fix", "Kompose keeps '_' in object names, which Kubernetes refuses; kubemap uses '-'", _underscore_name),
    Classifier("fix", "Kompose makes no Ingress for kompose.service.expose when the type is LoadBalancer; kubemap does what the label says", _ingress_for_load_balancer),
    Classifier("design", "a build-only service's image is named as docker compose build names it (<project>-<service>:latest; Kompose: <service>)", _build_image_name),
    Classifier("todo", "kompose.ephemeral-storage.* labels are reported as not read (no x-kubemap setting yet)", _unread_label),
    # compose-go's ResolveEnvironment looks a variable in an env_file up in the env files read so
    # far, then in the project environment, never in the service's inline `environment`.
    Classifier("design", "env_file ${VAR} resolved as compose-go does (earlier env files, then project env); Kompose's expectation used the inline environment", _env_file_self_interpolation),
]


def classify(d: Difference, ctx: CompareContext) -> tuple[str, str]:
    for rule in CLASSIFIERS:
        if rule.applies(d, ctx):
            return rule.verdict, rule.reason
    return "unclassified", ""


# ---------------------------------------------------------------- driver


@dataclass
class FixtureResult:
    fixture: str
    compared: int = 0
    verdicts: Counter[tuple[str, str]] = field(default_factory=Counter)
    unclassified: list[Difference] = field(default_factory=list)
    classified: list[tuple[Difference, str, str]] = field(default_factory=list)


def compare(fixture: str, kompose_objects: list[dict[str, Any]], ctx: CompareContext) -> FixtureResult:
    theirs = facets(kompose_objects)
    ours = facets(ctx.kubemap_objects)
    result = FixtureResult(fixture)
    for key in sorted(set(theirs) | set(ours), key=lambda k: tuple(map(str, k))):
        result.compared += 1
        if theirs.get(key) == ours.get(key):
            result.verdicts[("same", "")] += 1
            continue
        diff = Difference(fixture, key, theirs.get(key), ours.get(key))
        verdict = classify(diff, ctx)
        if verdict[0] == "unclassified":
            result.unclassified.append(diff)
        else:
            result.verdicts[verdict] += 1
            result.classified.append((diff, *verdict))
    return result


def read_documents(path: Path) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
    items: list[dict[str, Any]] = []
    for doc in docs:
        items.extend(doc.get("items") or [] if doc.get("kind") == "List" else [doc])
    return items


def kubemap_flags(cmd: str) -> tuple[dict[str, Any], list[str]]:
    """Our options for a kompose command line, and the Kompose-only flags it uses."""
    words = shlex.split(cmd)[1:]
    options: dict[str, Any] = {}
    unknown: list[str] = []
    skip_next = False
    for i, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        if word == "-f":
            skip_next = True
        elif word == "-n":
            options["namespace"] = words[i + 1]
            skip_next = True
        elif word == "--generate-network-policies":
            options["network_policies"] = True
        elif word not in IGNORED_FLAGS:
            unknown.append(word)
    return options, unknown


def markdown_summary(results: list[FixtureResult], skipped: dict[str, str]) -> str:
    totals: Counter[tuple[str, str]] = Counter()
    for result in results:
        totals.update(result.verdicts)
    by_verdict: Counter[str] = Counter()
    for (verdict, _), count in totals.items():
        by_verdict[verdict] += count
    unclassified = sum(len(r.unclassified) for r in results)
    lines = [
        "# kubemap vs Kompose expected outputs",
        "",
        f"Fixtures compared: {len(results)}; not compared: {len(skipped)}.",
        "",
        "| verdict | facets |",
        "|---|---|",
        *(f"| {v} | {by_verdict[v]} |" for v in ("same", "fix", "design", "todo")),
        f"| unclassified | {unclassified} |",
        "",
        "## Reasons",
        "",
        "| verdict | reason | facets |",
        "|---|---|---|",
    ]
    for (verdict, reason), count in sorted(totals.items()):
        if verdict != "same":
            lines.append(f"| {verdict} | {reason} | {count} |")
    lines += ["", "## Per fixture", "", "| fixture | facets | same | fix | design | todo | unclassified |", "|---|---|---|---|---|---|---|"]
    for r in results:
        counts = Counter()
        for (verdict, _), count in r.verdicts.items():
            counts[verdict] += count
        lines.append(f"| {r.fixture} | {r.compared} | {counts['same']} | {counts['fix']} | {counts['design']} | {counts['todo']} | {len(r.unclassified)} |")
    if skipped:
        lines += ["", "## Not compared", ""] + [f"- {name}: {why}" for name, why in sorted(skipped.items())]
    detail = [
        f"- {verdict}: {d.fixture} {'/'.join(d.key)}: kompose={d.kompose!r} kubemap={d.kubemap!r}"
        for r in results for d, verdict, _ in r.classified
    ]
    lines += ["", "## Every difference", "", *detail]
    unclassified_lines = [f"- {d.fixture} {d.key}: kompose={d.kompose!r} kubemap={d.kubemap!r}" for r in results for d in r.unclassified]
    if unclassified_lines:
        lines += ["", "## Unclassified", "", *unclassified_lines]
    return "\n".join(lines) + "\n"
