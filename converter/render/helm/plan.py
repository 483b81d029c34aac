"""Which chart values a Bundle gets, and which fields of which objects each one decides.

The values are the ones a user changes per environment (docs/helm.md lists them): per Compose
service its image, replicas, resources, plain environment, Service type and ports, ingress,
persistence, probes switch and scheduling; per Secret an existing Secret's name or its content
given at install time (never the Compose value: secrets stay out of values.yaml); global
image registry, pull secrets and namespace. Every default is what `kubemap convert` writes, so
the chart with its defaults renders the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from converter.model.bundle import Bundle, ManifestObject
from converter.render.helm import values as schema
from converter.render.helm.naming import unique_keys
from converter.render.helm.paths import FieldPath, parse_target, resolve
from converter.render.helm.values import Value, Values

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
POD_TEMPLATE: FieldPath = ("spec", "template")
CRON_POD_TEMPLATE: FieldPath = ("spec", "jobTemplate", "spec", "template")  # a CronJob's pods


def template_path(body: dict[str, Any]) -> FieldPath:
    """Where a workload's pod template is (a CronJob's is inside its jobTemplate)."""
    return CRON_POD_TEMPLATE if body.get("kind") == "CronJob" else POD_TEMPLATE


def pod_path(body: dict[str, Any]) -> FieldPath:
    return (*template_path(body), "spec")
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
SECRET_REF_KEYS = (("secretRef", "name"), ("secretKeyRef", "name"))


def ref_of(body: dict[str, Any]) -> str:
    return f"{body.get('kind', '')}/{(body.get('metadata') or {}).get('name', '')}"


def split_image(image: str) -> dict[str, str]:
    """`registry:5000/team/app:1.2@sha256:…` → repository, tag, digest (no digest key without one);
    the image helper puts them together again as they were."""
    rest, _, digest = image.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    parts = {"repository": rest, "tag": ""}
    if colon > slash and colon < len(rest) - 1:  # an empty tag (`app:`) stays as written
        parts = {"repository": rest[:colon], "tag": rest[colon + 1:]}
    if digest:
        parts["digest"] = digest
    return parts


@dataclass
class ServiceValues:
    """The values of one Compose service, by what they decide."""

    key: str
    image: str | None = None  # the image group in a template ($.Values.services.KEY.image)
    image_string: str = ""  # the image kubemap convert writes for it
    replicas: Value | None = None
    resources: Value | None = None
    probes: Value | None = None
    env: Value | None = None
    env_configmap: str | None = None
    service_type: Value | None = None
    service_ports: Value | None = None
    main_service: str | None = None  # name of the Service its ports/type decide
    ingress: dict[str, Value] = field(default_factory=dict)
    pod: dict[str, Value] = field(default_factory=dict)  # podAnnotations, nodeSelector, tolerations, affinity

    @property
    def prefix(self) -> tuple[str, ...]:
        return ("services", self.key)


@dataclass
class ClaimValues:
    """persistence.<volume> of one claim (a PVC, or a StatefulSet's claim template)."""

    prefix: tuple[str, ...]
    size: Value
    storage_class: Value
    access_modes: Value
    existing_claim: Value | None  # standalone PVCs only: a claim template cannot be swapped


@dataclass
class SecretValues:
    prefix: tuple[str, ...]
    name: str  # the Secret kubemap convert writes
    keys: list[str]  # its data keys
    existing: Value
    data: Value


@dataclass
class ChartPlan:
    values: Values
    services: dict[str, ServiceValues]  # compose service → its values
    container_owner: dict[tuple[str, int], str]  # (workload ref, container index) → compose service
    images: dict[str, str]  # image string → compose service whose image value it is
    claims: dict[tuple[str, str], ClaimValues]  # (owner ref, claim name) → persistence values
    secrets: dict[str, SecretValues]  # Secret name → values
    jobs_waited_for: dict[str, list[str]]  # Job name → Jobs it waits for
    job_dependants: list[str]  # workloads other than Jobs that wait for a Job


def _owner_of_source(source: str, services: list[str]) -> tuple[str, str] | None:
    """('api', 'image') from 'services.api.image' (service names may contain dots)."""
    if not source.startswith("services."):
        return None
    rest = source[len("services."):]
    for name in services:
        if rest.startswith(name + "."):
            return name, rest[len(name) + 1:]
    return None


def _container_owners(bundle: Bundle, bodies: dict[str, dict[str, Any]]) -> dict[tuple[str, int], str]:
    """Which Compose service each container of a workload runs, from the trace of `image` /
    `build` (a `network_mode: service:x` sidecar runs in x's pod); a container nobody traced
    belongs to the workload's own service."""
    names = sorted({o.service for o in bundle.objects if o.service} | _traced_services(bundle), key=len, reverse=True)
    owners: dict[tuple[str, int], str] = {}
    for entry in bundle.trace:
        found = _owner_of_source(entry.source, names)
        if found is None or found[1] not in ("image", "build"):
            continue
        for target in entry.targets:
            ref, path = parse_target(target)
            body = bodies.get(ref)
            resolved = resolve(body, path) if body is not None else None
            pod = pod_path(body) if body is not None else ()
            if resolved and resolved[:len(pod) + 1] == (*pod, "containers"):
                owners.setdefault((ref, int(resolved[len(pod) + 1])), found[0])
    return owners


def _traced_services(bundle: Bundle) -> set[str]:
    return {e.service for e in bundle.trace if e.service}


def build_plan(bundle: Bundle, objects: list[ManifestObject], namespace: str | None) -> ChartPlan:
    values = Values()
    bodies = {ref_of(o.body): o.body for o in objects}
    owners = _container_owners(bundle, bodies)
    services = sorted({o.service for o in objects if o.service} | set(owners.values()))
    keys = unique_keys(services)
    workloads = [o for o in objects if o.kind in WORKLOAD_KINDS]
    for wl in workloads:
        for index, _ in enumerate(_pod(wl.body).get("containers") or []):
            if wl.service:
                owners.setdefault((ref_of(wl.body), index), wl.service)

    _global_values(values, namespace)
    waits = _job_waits(objects)
    plan = ChartPlan(values=values, services={}, container_owner=owners, images={}, claims={}, secrets={},
                     jobs_waited_for={o.name: waits.get(ref_of(o.body), []) for o in workloads if o.kind == "Job"},
                     job_dependants=sorted(o.name for o in workloads if o.kind != "Job" and waits.get(ref_of(o.body))))
    values.group(("services",), "One entry per Compose service.")
    for service in services:
        sv = ServiceValues(key=keys[service])
        plan.services[service] = sv
        values.group(sv.prefix, f"Compose service {service}.")
        own = [o for o in workloads if o.service == service]
        workload = own[0] if own else None
        if workload is not None and "replicas" in workload.body.get("spec", {}):
            sv.replicas = values.add((*sv.prefix, "replicas"), workload.body["spec"]["replicas"], schema.COUNT,
                                     "Number of pods (Compose deploy.replicas).",
                                     ((ref_of(workload.body), ("spec", "replicas")),))
        _container_values(plan, sv, service, workloads)
        _env_values(plan, sv, service, objects)
        _service_values(plan, sv, service, objects, workload)
        _ingress_values(plan, sv, service, objects)
        templates = ((workload.body.get("spec") or {}).get("volumeClaimTemplates") or []) if workload else []
        claims = [o for o in objects if o.kind == "PersistentVolumeClaim" and o.service == service]
        claim_keys = unique_keys([*(t["metadata"]["name"] for t in templates), *(o.name for o in claims)])
        if workload is not None:
            _claim_template_values(plan, sv, workload, claim_keys)
        _claim_values(plan, claims, sv.prefix, claim_keys, shared=False)
        if workload is not None:
            _pod_values(plan, sv, workload)
    shared_claims = [o for o in objects if o.kind == "PersistentVolumeClaim" and o.service is None]
    _claim_values(plan, shared_claims, (), unique_keys(o.name for o in shared_claims), shared=True)
    _secret_values(plan, objects)
    return plan


def _global_values(values: Values, namespace: str | None) -> None:
    values.group(("global",), "Settings for every service.")
    values.add(("global", "imageRegistry"), "", schema.STRING,
               "Registry (and path) put in front of every image, e.g. registry.example.com/team.")
    values.add(("global", "imagePullSecrets"), [], schema.OBJECT_LIST,
               "Secrets for pulling the images, e.g. [{name: regcred}].")
    values.add(("global", "namespaceOverride"), namespace or "", schema.STRING,
               "Put every object in this namespace instead of the release namespace.")


def _pod(body: dict[str, Any]) -> dict[str, Any]:
    node: Any = body
    for key in pod_path(body):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _container_values(plan: ChartPlan, sv: ServiceValues, service: str, workloads: list[ManifestObject]) -> None:
    placed = sorted(((ref, i) for (ref, i), owner in plan.container_owner.items() if owner == service))
    if not placed:
        return
    ref, index = placed[0]
    body = next(o.body for o in workloads if ref_of(o.body) == ref)
    container = _pod(body)["containers"][index]
    base: FieldPath = (*pod_path(body), "containers", index)
    values = plan.values
    image_field = ((ref, (*base, "image")),)
    prefix = (*sv.prefix, "image")
    values.group(prefix, "The image (Compose image, or the name `docker compose build` gives it).")
    parts = split_image(str(container.get("image", "")))
    values.add((*prefix, "repository"), parts["repository"], {"type": "string", "minLength": 1},
               "Repository (global.imageRegistry goes in front of it).", image_field)
    values.add((*prefix, "tag"), parts["tag"], schema.STRING, "Tag (empty: none).", image_field)
    if "digest" in parts:
        values.add((*prefix, "digest"), parts["digest"], schema.STRING, "Digest (after the tag).",
                   image_field)
    values.add((*prefix, "pullPolicy"), str(container.get("imagePullPolicy", "")), schema.PULL_POLICY,
               "imagePullPolicy (Compose pull_policy; IfNotPresent for built images; empty: Kubernetes' default).",
               ((ref, (*base, "imagePullPolicy")),))
    sv.image = "$.Values." + ".".join(prefix)
    sv.image_string = str(container.get("image", ""))
    plan.images.setdefault(sv.image_string, service)
    sv.resources = values.add((*sv.prefix, "resources"), container.get("resources") or {}, schema.RESOURCES,
                              "Resource limits and requests (Compose deploy.resources, mem_limit, cpus).",
                              ((ref, (*base, "resources")),))
    probes = [p for p in PROBES if p in container]
    if probes:
        sv.probes = values.add((*sv.prefix, "probes", "enabled"), True, schema.BOOLEAN,
                               "Readiness, liveness and startup probes from the Compose healthcheck.",
                               tuple((ref, (*base, p)) for p in probes))


def _env_values(plan: ChartPlan, sv: ServiceValues, service: str, objects: list[ManifestObject]) -> None:
    """The ConfigMap of plain variables (`<name>-env`) that the service's container reads."""
    placed = sorted(((ref, i) for (ref, i), owner in plan.container_owner.items() if owner == service))
    if not placed:
        return
    ref, index = placed[0]
    body = next(o.body for o in objects if ref_of(o.body) == ref)
    container = _pod(body)["containers"][index]
    names = [(e.get("configMapRef") or {}).get("name") for e in container.get("envFrom") or []]
    configmaps = {o.name: o for o in objects if o.kind == "ConfigMap" and o.service == service}
    chosen = next((n for n in names if n in configmaps and n.endswith("-env")), None)
    if chosen is None:
        return
    data = configmaps[chosen].body.get("data") or {}
    sv.env_configmap = chosen
    sv.env = plan.values.add((*sv.prefix, "env"), dict(data), schema.STRING_MAP,
                             f"Plain environment variables (Compose environment / env_file; ConfigMap {chosen}). "
                             "Secret-looking ones are in secrets.",
                             ((f"ConfigMap/{chosen}", ("data",)),))


def _service_values(plan: ChartPlan, sv: ServiceValues, service: str, objects: list[ManifestObject],
                    workload: ManifestObject | None) -> None:
    if workload is None:
        return
    match = next((o for o in objects if o.kind == "Service" and o.service == service and o.name == workload.name), None)
    if match is None:
        return
    spec = match.body.get("spec") or {}
    ref = ref_of(match.body)
    values = plan.values
    sv.main_service = match.name
    values.group((*sv.prefix, "service"), f"The Service {match.name} (Compose ports / expose).")
    if spec.get("clusterIP") != "None":
        sv.service_type = values.add((*sv.prefix, "service", "type"), spec.get("type", "ClusterIP"),
                                     schema.SERVICE_TYPE,
                                     "ClusterIP, NodePort (Compose published ports) or LoadBalancer.",
                                     ((ref, ("spec", "type")),))
    if spec.get("ports"):
        sv.service_ports = values.add((*sv.prefix, "service", "ports"), list(spec["ports"]), schema.SERVICE_PORTS,
                                      "Service ports (port = the container port peers call; nodePort for "
                                      "published Compose ports, used unless type is ClusterIP).",
                                      ((ref, ("spec", "ports")),))


def _ingress_values(plan: ChartPlan, sv: ServiceValues, service: str, objects: list[ManifestObject]) -> None:
    ingress = next((o for o in objects if o.kind == "Ingress" and o.service == service), None)
    if ingress is None:
        return
    spec = ingress.body.get("spec") or {}
    ref = ref_of(ingress.body)
    hosts = []
    for rule in spec.get("rules") or []:
        paths = [{"path": p.get("path", "/"), "pathType": p.get("pathType", "Prefix"),
                  "port": p["backend"]["service"]["port"]["number"]} for p in (rule.get("http") or {}).get("paths", [])]
        hosts.append({**({"host": rule["host"]} if "host" in rule else {}), "paths": paths})
    prefix = (*sv.prefix, "ingress")
    values = plan.values
    values.group(prefix, f"The Ingress {ingress.name} (x-kubemap.ingress).")
    sv.ingress = {
        "enabled": values.add((*prefix, "enabled"), True, schema.BOOLEAN, "Create the Ingress.", ((ref, ()),)),
        "className": values.add((*prefix, "className"), spec.get("ingressClassName", ""), schema.STRING,
                                "IngressClass name (x-kubemap.ingress.class).", ((ref, ("spec", "ingressClassName")),)),
        "annotations": values.add((*prefix, "annotations"), (ingress.body["metadata"].get("annotations") or {}),
                                  schema.STRING_MAP, "Annotations of the Ingress (controller settings).",
                                  ((ref, ("metadata", "annotations")),)),
        "hosts": values.add((*prefix, "hosts"), hosts, schema.INGRESS_HOSTS,
                            "Hosts and paths routed to this service's port (x-kubemap.ingress host, path, port).",
                            ((ref, ("spec", "rules")),)),
        "tls": values.add((*prefix, "tls"), list(spec.get("tls") or []), schema.INGRESS_TLS,
                          "TLS: secretName and hosts (x-kubemap.ingress.tls_secret).", ((ref, ("spec", "tls")),)),
    }


def _persistence(plan: ChartPlan, prefix: tuple[str, ...], name: str, ref: str, base: FieldPath,
                 *, spec: dict[str, Any], standalone: bool, what: str) -> ClaimValues:
    values = plan.values
    values.group(prefix, what)
    field_ref = ((ref, base),)
    size = (spec.get("resources") or {}).get("requests", {}).get("storage", "1Gi")
    return ClaimValues(
        prefix=prefix,
        size=values.add((*prefix, "size"), size, schema.QUANTITY, "Requested storage size.", field_ref),
        storage_class=values.add((*prefix, "storageClass"), spec.get("storageClassName", ""), schema.STRING,
                                 "StorageClass (empty: the cluster's default).", field_ref),
        access_modes=values.add((*prefix, "accessModes"), list(spec.get("accessModes") or ["ReadWriteOnce"]),
                                schema.ACCESS_MODES, "Access modes of the claim.", field_ref),
        existing_claim=values.add((*prefix, "existingClaim"), "", schema.STRING,
                                  f"Use this existing PersistentVolumeClaim instead of creating {name}.",
                                  field_ref) if standalone else None,
    )


def _claim_template_values(plan: ChartPlan, sv: ServiceValues, workload: ManifestObject,
                           keys: dict[str, str]) -> None:
    ref = ref_of(workload.body)
    templates = (workload.body.get("spec") or {}).get("volumeClaimTemplates") or []
    for index, claim in enumerate(templates):
        name = claim["metadata"]["name"]
        prefix = (*sv.prefix, "persistence", keys[name])
        plan.values.group((*sv.prefix, "persistence"), "Storage of the service's named volumes.")
        plan.claims[(ref, name)] = _persistence(
            plan, prefix, name, ref, ("spec", "volumeClaimTemplates", index), spec=claim.get("spec") or {}, standalone=False,
            what=f"Claim template {name} of StatefulSet {workload.name} (Compose volume). Kubernetes does not "
            "let a StatefulSet's claim templates change: set these at install time.")


def _claim_values(plan: ChartPlan, claims: list[ManifestObject], prefix: tuple[str, ...], keys: dict[str, str],
                  shared: bool) -> None:
    if not claims:
        return
    group = (*prefix, "persistence")
    plan.values.group(group, "Storage of named volumes that several services share." if shared else
                      "Storage of the service's named volumes.")
    for claim in claims:
        ref = ref_of(claim.body)
        plan.claims[(ref, claim.name)] = _persistence(
            plan, (*group, keys[claim.name]), claim.name, ref, (), spec=claim.body.get("spec") or {}, standalone=True,
            what=f"PersistentVolumeClaim {claim.name} (Compose volume); kept when the release is uninstalled, "
            "as `docker compose down` keeps volumes.")


def _pod_values(plan: ChartPlan, sv: ServiceValues, workload: ManifestObject) -> None:
    ref = ref_of(workload.body)
    pod = _pod(workload.body)
    template = template_path(workload.body)
    spec_path = pod_path(workload.body)
    node: Any = workload.body
    for key in template:
        node = node[key]
    template_meta = node.get("metadata") or {}
    values = plan.values
    sv.pod = {
        "podAnnotations": values.add((*sv.prefix, "podAnnotations"), dict(template_meta.get("annotations") or {}),
                                     schema.STRING_MAP, "Annotations of the pods (Compose annotations).",
                                     ((ref, (*template, "metadata", "annotations")),)),
        "nodeSelector": values.add((*sv.prefix, "nodeSelector"), dict(pod.get("nodeSelector") or {}),
                                   schema.STRING_MAP, "Node labels the pods must run on (Compose platform, "
                                   "deploy.placement).", ((ref, (*spec_path, "nodeSelector")),)),
        "tolerations": values.add((*sv.prefix, "tolerations"), list(pod.get("tolerations") or []),
                                  schema.OBJECT_LIST, "Tolerations of the pods.", ((ref, (*spec_path, "tolerations")),)),
        "affinity": values.add((*sv.prefix, "affinity"), dict(pod.get("affinity") or {}), schema.OBJECT,
                               "Affinity rules of the pods.", ((ref, (*spec_path, "affinity")),)),
    }


def _secret_values(plan: ChartPlan, objects: list[ManifestObject]) -> None:
    secrets = sorted((o for o in objects if o.kind == "Secret"), key=lambda o: o.name)
    if not secrets:
        return
    keys = unique_keys(o.name for o in secrets)
    values = plan.values
    values.group(("secrets",), "Secrets. Their Compose values are never written here: give the content at "
                 "install time (--set-file secrets.NAME.data.KEY=FILE) or name a Secret that exists "
                 "(existingSecret). With neither, the chart creates no Secret and the pods wait for one of that "
                 "name.")
    for secret in secrets:
        prefix = ("secrets", keys[secret.name])
        ref = ref_of(secret.body)
        data_keys = sorted({*(secret.body.get("data") or {}), *(secret.body.get("stringData") or {}),
                            *(secret.body.get("binaryData") or {})})
        listed = ", ".join(data_keys)
        values.group(prefix, f"Secret {secret.name} (keys: {listed}).")
        plan.secrets[secret.name] = SecretValues(
            prefix=prefix, name=secret.name, keys=data_keys,
            existing=values.add((*prefix, "existingSecret"), "", schema.STRING,
                                f"Name of an existing Secret with the keys {listed}; the chart then creates none.",
                                ((ref, ()),)),
            data=values.add((*prefix, "data"), {}, schema.STRING_MAP,
                            f"The content of each key ({listed}), given at install time; the chart then "
                            f"creates Secret {secret.name}.", ((ref, ("data",)),)),
        )


def _job_waits(objects: list[ManifestObject]) -> dict[str, list[str]]:
    """Workload ref → the Jobs its pods wait for (the Jobs the Role of its ServiceAccount may
    read: how kubemap's wait-for-<job> init containers get their permission)."""
    roles = {o.name: o.body for o in objects if o.kind == "Role"}
    waits: dict[str, list[str]] = {}
    for workload in (o for o in objects if o.kind in WORKLOAD_KINDS):
        account = _pod(workload.body).get("serviceAccountName")
        role = roles.get(str(account)) if account else None
        names: set[str] = set()
        for rule in (role or {}).get("rules") or []:
            if "jobs" in (rule.get("resources") or []):
                names.update(rule.get("resourceNames") or [])
        waits[ref_of(workload.body)] = sorted(names)
    return waits
