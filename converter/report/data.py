"""The report's content, independent of format: per service, the Compose block, the Kubernetes
objects it became, and one row per Compose key tying the two together."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from converter.model import Bundle, Finding, Project, TraceEntry
from converter.report.diagram import Graph, extract_graph
from converter.report.lines import PathLine, emit, first_line_of, index_path

STATUS_ORDER = {"mapped": 0, "approximated": 1, "unsupported": 2}


@dataclass(frozen=True)
class Target:
    """One Kubernetes field a key became: the object ('Deployment/api') and the line showing it."""

    ref: str
    field_path: str
    object_index: int | None  # index in ServiceReport.objects, None if the object is elsewhere
    line: int | None  # line within that object's lines


@dataclass
class Row:
    """One Compose key of a service and everything it became."""

    key: str  # top-level Compose key, e.g. "ports"
    compose_lines: tuple[int, int]  # [start, end) within ServiceReport.compose
    status: str  # mapped | approximated | unsupported | untraced
    entries: list[TraceEntry] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # chart values it became (report --chart)

    @property
    def reasons(self) -> list[str]:
        return sorted({e.reason for e in self.entries if e.reason})

    @property
    def rules(self) -> list[str]:
        return sorted({e.rule for e in self.entries})


@dataclass
class ObjectView:
    kind: str
    name: str
    lines: list[PathLine]
    body: dict[str, Any]

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass
class ServiceReport:
    name: str
    compose: list[PathLine]
    objects: list[ObjectView]
    rows: list[Row]
    findings: list[Finding]


@dataclass
class ProjectReport:
    project: str
    source_files: list[str]
    services: list[ServiceReport]
    project_rows: list[Row]  # top-level networks/volumes/secrets/configs
    objects_by_kind: dict[str, int]
    status_counts: dict[str, int]
    findings: list[Finding]
    disabled_services: list[str]
    concepts: list[tuple[str, str, str]]  # (docker idea, kubernetes counterpart, example)
    graph: Graph | None = None  # the picture: services, arrows, network groups (report/diagram)
    chart: str | None = None  # with --chart: the chart's name (rows then carry their values)


def _entries_by_service(bundle: Bundle) -> dict[str | None, list[TraceEntry]]:
    """Trace entries grouped by the service they belong to (None: top-level keys)."""
    grouped: dict[str | None, list[TraceEntry]] = {}
    for entry in bundle.trace:
        grouped.setdefault(entry.service, []).append(entry)
    return grouped


def _row_status(entries: list[TraceEntry]) -> str:
    if not entries:
        return "untraced"
    return max((e.status for e in entries), key=lambda s: STATUS_ORDER[s])


def _targets(entries: list[TraceEntry], objects: list[ObjectView]) -> list[Target]:
    index = {view.ref: i for i, view in enumerate(objects)}
    seen: set[str] = set()
    out: list[Target] = []
    for entry in entries:
        for target in entry.targets:
            if target in seen:
                continue
            seen.add(target)
            ref, _, field_path = target.partition(" ")
            position = index.get(ref)
            line = None
            if position is not None:
                view = objects[position]
                line = first_line_of(view.lines, index_path(view.body, field_path)) if field_path else 0
            out.append(Target(ref, field_path, position, line))
    return out


def _compose_span(lines: list[PathLine], key: str) -> tuple[int, int]:
    start = first_line_of(lines, "." + key)
    if start is None:
        return (0, 0)
    end = start + 1
    prefix = "." + key
    while end < len(lines) and (lines[end].path.startswith(prefix + ".") or lines[end].path.startswith(prefix + "[")):
        end += 1
    return (start, end)


def _ordered_block(block: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """The service's block with keys in the order the user wrote them, then the rest sorted."""
    ordered = {k: block[k] for k in keys if k in block}
    ordered.update({k: block[k] for k in sorted(block) if k not in ordered})
    return ordered


def _shown_paths(value: Any, project: Project) -> Any:
    """Host paths as kubemap shows them (Project.shown_path), so a report reads the same on every
    machine (the resolved config holds absolute paths, as `docker compose config` does)."""
    if isinstance(value, dict):
        return {k: _shown_paths(v, project) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown_paths(v, project) for v in value]
    if isinstance(value, str) and value.startswith("/"):
        return project.shown_path(value)
    return value


def _values(entries: list[TraceEntry], chart_values: dict[str, list[str]] | None) -> list[str]:
    found: list[str] = []
    for entry in entries:
        found += [v for v in (chart_values or {}).get(entry.source, []) if v not in found]
    return found


def build_report(project: Project, bundle: Bundle, compose_blocks: dict[str, dict[str, Any]],
                 chart: tuple[str, dict[str, list[str]]] | None = None) -> ProjectReport:
    """Assemble the report. `compose_blocks` is each service's resolved Compose mapping (what
    `kubemap config` prints under `services:`), passed in so this module reads no files.
    `chart`: (chart name, Compose key → chart values) to show which value each key became."""
    chart_values = chart[1] if chart else None
    grouped = _entries_by_service(bundle)
    services: list[ServiceReport] = []
    for name, service in project.services.items():
        block = _shown_paths(_ordered_block(compose_blocks.get(name, {}), service.keys), project)
        compose = emit(block)
        objects = [
            ObjectView(o.kind, o.name, emit(o.body), o.body) for o in bundle.objects if o.service == name
        ]
        rows = []
        keys = list(service.keys) or list(block)
        for key in keys:
            entries = [e for e in grouped.get(name, []) if e.key == key]
            rows.append(Row(key, _compose_span(compose, key), _row_status(entries), entries,
                            _targets(entries, objects), _values(entries, chart_values)))
        findings = [f for f in bundle.findings if f.service == name]
        services.append(ServiceReport(name, compose, objects, rows, findings))

    project_rows: list[Row] = []
    for entry in grouped.get(None, []):
        project_rows.append(Row(entry.path, (0, 0), entry.status, [entry], _targets([entry], []),
                                _values([entry], chart_values)))

    status_counts = Counter(e.status for e in bundle.trace)
    return ProjectReport(
        project=bundle.project,
        source_files=[project.shown_path(f) for f in bundle.source_files],
        services=services,
        project_rows=project_rows,
        objects_by_kind=dict(sorted(Counter(o.kind for o in bundle.objects).items())),
        status_counts={s: status_counts.get(s, 0) for s in STATUS_ORDER},
        findings=list(bundle.findings),
        disabled_services=list(project.disabled_services),
        concepts=concept_map(bundle),
        graph=extract_graph(project, bundle),
        chart=chart[0] if chart else None,
    )


# Docker idea, Compose key that carries it, Kubernetes counterpart.
CONCEPTS: list[tuple[str, str, str]] = [
    ("image / build", "image", "container image of the Pod template (`imagePullPolicy: IfNotPresent` for built images, so `kind load` works)"),
    ("container", "image", "a Pod, managed by a Deployment / StatefulSet / DaemonSet / Job"),
    ("`docker compose up`", "", "`kubemap apply` (server-side apply, then wait for rollout)"),
    ("healthcheck", "healthcheck", "readiness, liveness and startup probes"),
    ("depends_on", "depends_on", "init containers that wait for the dependency's Service; Jobs for `service_completed_successfully`"),
    ("named volume", "volumes", "PersistentVolumeClaim (or a StatefulSet's volumeClaimTemplates)"),
    ("network", "networks", "Service DNS names (and NetworkPolicies with `--network-policies`)"),
    ("published port", "ports", "Service port = container port; NodePort + kind extraPortMappings for the host port"),
    ("replicas", "deploy", "Deployment `spec.replicas`"),
    ("environment / env_file", "environment", "ConfigMap (plain values) and Secret (secret-looking keys) via `envFrom`"),
    ("secrets", "secrets", "Secret mounted at `/run/secrets/<name>`"),
    ("configs", "configs", "ConfigMap mounted at the config's target"),
]


def concept_map(bundle: Bundle) -> list[tuple[str, str, str]]:
    """Each Docker idea with its Kubernetes counterpart and an example from this project."""
    rows = []
    for idea, key, counterpart in CONCEPTS:
        example = ""
        if key:
            for entry in bundle.trace:
                if entry.targets and entry.service is not None and entry.key == key:
                    example = f"`{entry.source}` → `{entry.targets[0]}`"
                    break
            if not example:
                continue  # the project does not use this idea
        rows.append((idea, counterpart, example))
    return rows
