"""Mutable state of one translation: what has been produced so far, and one plan per service.

Rules write into a `Context` (objects, trace, findings) and into the `ServicePlan` of the
service they translate; `workload.py` assembles each plan into its Kubernetes object at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from converter.model import Finding, HostPort, ManifestObject, Project, Service, TraceEntry
from converter.model.bundle import BuiltImage, Severity, TraceStatus, key_of_source
from converter.translate.options import TranslateOptions

POD = ".spec.template.spec"
CONTAINER = ".spec.template.spec.containers[0]"
CRON_POD = ".spec.jobTemplate.spec.template.spec"


@dataclass
class ServicePlan:
    """Everything decided about one Compose service before its workload object is built."""

    service: Service
    name: str  # RFC 1123 name of the service
    kind: str = "Deployment"  # Deployment | StatefulSet | DaemonSet | Job
    replicas: int = 1
    image: str = ""
    container: dict[str, Any] = field(default_factory=dict)
    pod: dict[str, Any] = field(default_factory=dict)  # pod spec fields besides containers
    init_containers: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)
    mounts: list[dict[str, Any]] = field(default_factory=list)
    claim_templates: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # extra workload labels
    annotations: dict[str, str] = field(default_factory=dict)
    pod_labels: dict[str, str] = field(default_factory=dict)  # extra pod-template labels
    pod_annotations: dict[str, str] = field(default_factory=dict)
    service_ports: list[dict[str, Any]] = field(default_factory=list)  # Service.spec.ports
    service_type: str = "ClusterIP"
    headless: bool = False
    job_restart: str = "Never"  # Job pods: Never | OnFailure
    job_backoff: int = 0
    has_service: bool = True
    strategy: dict[str, Any] = field(default_factory=dict)  # Deployment .spec.strategy, when Compose says
    # network_mode: service:<host> → this service runs as a sidecar container in host's pod.
    host: ServicePlan | None = None
    sidecars: list[dict[str, Any]] = field(default_factory=list)  # containers merged into this pod
    rwo_claims: list[str] = field(default_factory=list)  # ReadWriteOnce claims its pods mount
    # Service ports published on a non-loopback host address (name → host ports), R-PORTS-02.
    published: dict[str, list[int]] = field(default_factory=dict)
    shellless: str | None = None  # why the service's image has no shell (R-DEP-04), when known
    # x-kubemap settings read from Kompose labels (R-KOMPOSE-01), under the service's own
    # x-kubemap; label_sources: key → the label that set it; kompose: the labels' LabelSettings
    label_x: dict[str, Any] = field(default_factory=dict)
    label_sources: dict[str, str] = field(default_factory=dict)
    kompose: Any = None
    # x-kubemap.schedule: the Job runs as a CronJob (R-CRON-01); its spec fields besides jobTemplate
    cron: dict[str, Any] | None = None

    @property
    def ref(self) -> str:
        """'Kind/name' of the workload this service ends up in: prefix of its trace targets."""
        if self.host:
            return self.host.ref
        return f"CronJob/{self.name}" if self.cron is not None else f"{self.kind}/{self.name}"

    @property
    def pod_path(self) -> str:
        """Where the pod spec sits in the workload (a CronJob's is in its jobTemplate)."""
        if self.host:
            return self.host.pod_path
        return CRON_POD if self.cron is not None else POD

    def pod_field(self, path: str) -> str:
        return f"{self.ref} {self.pod_path}.{path}"

    def container_field(self, path: str) -> str:
        if self.host:
            return f"{self.ref} {self.pod_path}.containers[name={self.name}].{path}"
        return f"{self.ref} {self.pod_path}.containers[0].{path}"

    @property
    def x(self) -> dict[str, Any]:
        """The service's `x-kubemap` settings (empty when absent), over those its Kompose labels
        mean (R-KOMPOSE-01): every rule reads both through this."""
        value = self.service.extensions.get("x-kubemap") or {}
        own = value if isinstance(value, dict) else {}
        return {**self.label_x, **own} if self.label_x else own

    def x_source(self, key: str) -> str:
        """Where x-kubemap.<key> was said: the service's x-kubemap, or the Kompose label."""
        own = self.service.extensions.get("x-kubemap")
        if key in self.label_sources and not (isinstance(own, dict) and key.split(".", 1)[0] in own):
            return self.label_sources[key]
        return src(self, f"x-kubemap.{key}")


@dataclass
class Context:
    """Accumulates the Bundle's content. Every rule reports through `trace` and `finding` (a
    service's rules through `tracer(plan)`, which names the service once)."""

    project: Project
    options: TranslateOptions
    plans: dict[str, ServicePlan] = field(default_factory=dict)  # by compose service name
    objects: list[ManifestObject] = field(default_factory=list)
    trace_entries: list[TraceEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    host_ports: list[HostPort] = field(default_factory=list)
    # Bind directories that became claims (R-VOL-10): claim name → path, users, settings, source.
    bind_claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Images known to have no shell (a Dockerfile FROM scratch, distroless...): image → why.
    shellless_images: dict[str, str] = field(default_factory=dict)
    # Services with `build:`: the image Compose builds and the name the manifests use (--registry).
    built_images: list[BuiltImage] = field(default_factory=list)
    # Facts about the whole project that per-service rules read (set once, before them):
    # RFC 1123 names per section (services, volumes, secrets, configs: compose name → name),
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    # service → the services that wait for it to complete (it runs as a Job),
    completions: dict[str, list[str]] = field(default_factory=dict)
    # named volume → the services that mount it.
    volume_users: dict[str, list[str]] = field(default_factory=dict)

    def traced_keys(self, service: str) -> set[str]:
        """The keys of `service` that have a trace entry so far."""
        return {e.key for e in self.trace_entries if e.service == service and e.path != e.source and e.key}

    def add(self, service: str | None, body: dict[str, Any]) -> None:
        self.objects.append(ManifestObject(service=service, body=body))

    def trace(
        self,
        source: str,
        targets: list[str] | str,
        rule: str,
        status: TraceStatus = "mapped",
        reason: str = "",
        *, service: str | None = None,
    ) -> None:
        if isinstance(targets, str):
            targets = [targets]
        path, key = key_of_source(source, service)
        self.trace_entries.append(
            TraceEntry(
                source=source, targets=list(targets), rule=rule, status=status, reason=reason,
                service=service, path=path, key=key,
            )
        )

    def tracer(self, plan: ServicePlan) -> Tracer:
        """Trace entries and findings for one service's keys, the service named once."""
        return Tracer(self, plan.service.name)

    def unsupported(self, source: str, rule: str, reason: str, message: str, hint: str = "", *,
                    service: str | None = None) -> None:
        """A key that is not converted: its trace entry (status unsupported, no target) and the
        KM-W-UNSUPPORTED finding that says so, always together (`--strict` refuses them)."""
        self.trace(source, [], rule, "unsupported", reason, service=service)
        self.finding("KM-W-UNSUPPORTED", source, message, hint)

    def finding(
        self, code: str, source: str, message: str, hint: str = "", severity: Severity = "warning"
    ) -> None:
        service = self.service_of(source)
        self.findings.append(Finding(code=code, severity=severity, source=source, message=message, hint=hint,
                                     service=service, key=key_of_source(source, service)[1] if service else ""))

    def service_of(self, source: str) -> str | None:
        """The service whose key `source` names (the longest name that fits: `api.v2` before `api`)."""
        fits = [name for name in self.project.services
                if source == f"services.{name}" or source.startswith((f"services.{name}.", f"services.{name}["))]
        return max(fits, key=len, default=None)

    def show_path(self, path: str | None) -> str:
        """A host path as the trace and findings show it (Project.shown_path)."""
        return self.project.shown_path(path) if path else ""

    @property
    def top_x(self) -> dict[str, Any]:
        """The project's top-level `x-kubemap` extension."""
        value = self.project.extensions.get("x-kubemap") or {}
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Tracer:
    """What a rule reports about the keys of one service (`t = ctx.tracer(plan)`): a method per
    status, so a call says what happened to the key; `unsupported` writes the trace entry and
    the KM-W-UNSUPPORTED finding together."""

    ctx: Context
    service: str

    def mapped(self, source: str, targets: list[str] | str, rule: str, reason: str = "") -> None:
        self.ctx.trace(source, targets, rule, "mapped", reason, service=self.service)

    def approximated(self, source: str, targets: list[str] | str, rule: str, reason: str = "") -> None:
        self.ctx.trace(source, targets, rule, "approximated", reason, service=self.service)

    def trace(self, source: str, targets: list[str] | str, rule: str, status: TraceStatus, reason: str = "") -> None:
        """When the status is computed (`"approximated" if dropped else "mapped"`)."""
        self.ctx.trace(source, targets, rule, status, reason, service=self.service)

    def unsupported(self, source: str, rule: str, reason: str, message: str, hint: str = "") -> None:
        self.ctx.unsupported(source, rule, reason, message, hint, service=self.service)


def src(plan: ServicePlan, key: str) -> str:
    """Compose key path of a service key, e.g. services.api.ports[0]."""
    sep = "" if key.startswith("[") else "."
    return f"services.{plan.service.name}{sep}{key}"
