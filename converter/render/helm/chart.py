"""Bundle → the files of a Helm chart (in memory; write.py writes them).

    Chart.yaml, values.yaml, values.schema.json, README.md,
    templates/_helpers.tpl, templates/NOTES.txt,
    templates/<service>.yaml (one per Compose service), templates/shared.yaml

The objects are the Bundle's, validated exactly as `kubemap convert` validates them; the chart's
default values reproduce them (tests/helm checks that with real Helm).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from converter import __version__
from converter.errors import RenderError
from converter.model.bundle import Bundle, Finding, ManifestObject
from converter.render import serialize
from converter.render.helm.emit import emit_document
from converter.render.helm.helpers import helpers_tpl
from converter.render.helm.mapping import ValueMapping, map_values
from converter.render.helm.naming import chart_name, template_stem
from converter.render.helm.notes import notes_txt
from converter.render.helm.paths import parse_target
from converter.render.helm.plan import ChartPlan, build_plan
from converter.render.helm import readme
from converter.render.helm.readme import readme_md
from converter.render.helm.templates import Templater
from converter.render.helm.values import schema_json
from converter.render.layout import group_by_file, object_sort_key
from converter.render.validate import newest_kube_version, validate_all

COMMAND = "kubemap convert --format helm"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


@dataclass(frozen=True)
class ChartOptions:
    """chart_version: Chart.yaml `version` (SemVer 2). app_version: `appVersion` (also the
    app.kubernetes.io/version label), none by default. kube_version: validate the objects
    against it. (The Bundle's namespace, if any, is the default of global.namespaceOverride.)"""

    chart_version: str = "0.1.0"
    app_version: str | None = None
    kube_version: str = field(default_factory=newest_kube_version)
    project_dir: str | None = None


@dataclass(frozen=True)
class RenderedChart:
    name: str
    files: dict[str, bytes]
    plan: ChartPlan
    mapping: ValueMapping


def check_options(options: ChartOptions) -> None:
    if not _SEMVER.match(options.chart_version):
        raise RenderError(f"--chart-version {options.chart_version!r} is not a SemVer 2 version",
                          hint="use MAJOR.MINOR.PATCH such as 0.1.0 (helm lint --strict requires it)")
    if options.app_version is not None and (not options.app_version or not _LABEL_VALUE.match(options.app_version)):
        raise RenderError(f"--app-version {options.app_version!r} cannot be a label value (app.kubernetes.io/version)",
                          hint="use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")


def _secret_sources(bundle: Bundle) -> dict[str, str]:
    """'Secret/name.key' → why the trace says it holds what it holds (the Compose file)."""
    found: dict[str, str] = {}
    for entry in bundle.trace:
        for target in entry.targets:
            ref, path = parse_target(target)
            if ref.startswith("Secret/") and path.startswith(".data."):
                found.setdefault(f"{ref}.{path[len('.data.'):]}", entry.reason)
    return found


def render_chart(bundle: Bundle, options: ChartOptions, sources: list[str]) -> RenderedChart:
    """The chart's files. `sources`: the compose files relative to the project directory."""
    check_options(options)
    objects = [o for o in bundle.objects if o.kind != "Namespace"]  # the release's namespace, or --create-namespace
    group_by_file(objects)  # the plain renderer's checks: no duplicates, no case-only file clashes
    validate_all([o.body for o in objects], options.kube_version)
    name = chart_name(bundle.project)
    plan = build_plan(bundle, objects, bundle.namespace)
    mapping = map_values(bundle, plan.values)
    templater = Templater(plan, name)
    source_text = ", ".join(sources) if sources else "(no files)"
    header = serialize.header(sources, COMMAND).rstrip("\n")
    marker = header.removeprefix("# ")

    files: dict[str, str] = {}
    for stem, members in _by_template(objects).items():
        lines = [header]
        for obj in members:
            lines += emit_document(templater.document(obj))
        files[f"templates/{stem}.yaml"] = "\n".join(lines) + "\n"
    files["templates/_helpers.tpl"] = helpers_tpl(name, __version__, source_text).replace(
        "re-run kubemap convert --format helm", f"re-run {COMMAND}")
    hooks = sorted(o.name for o in objects if o.kind == "Job")
    secret_files = readme.secret_files(plan, _secret_sources(bundle))
    files["templates/NOTES.txt"] = notes_txt(name, plan, bundle.host_ports, hooks, marker, secret_files=secret_files)
    files["values.yaml"] = plan.values.yaml(
        f"{marker}\nDefault values of the {name} chart: what {source_text} says. "
        "The README lists every value and the Compose key it came from.")
    files["values.schema.json"] = schema_json(plan.values.schema(f"Values of the {name} chart", marker))
    files["README.md"] = readme_md(chart=name, project=bundle.project, sources=source_text, header=marker,
                                   plan=plan, values=plan.values, mapping=mapping,
                                   files=secret_files, hooks=hooks,
                                   services=len(plan.services))
    files["Chart.yaml"] = header + "\n" + serialize.yaml_mapping(_chart_yaml(name, bundle.project, source_text, options))
    return RenderedChart(name=name, files={k: files[k].encode() for k in sorted(files)}, plan=plan, mapping=mapping)


def _chart_yaml(name: str, project: str, sources: str, options: ChartOptions) -> dict[str, str]:
    chart = {
        "apiVersion": "v2",
        "name": name,
        "description": f"The Compose project {project} ({sources}) on Kubernetes, generated by kubemap",
        "type": "application",
        "version": options.chart_version,
    }
    if options.app_version is not None:
        chart["appVersion"] = options.app_version
    return chart


def _by_template(objects: list[ManifestObject]) -> dict[str, list[ManifestObject]]:
    groups: dict[str, list[ManifestObject]] = {}
    owners: dict[str, str | None] = {}
    for obj in objects:
        stem = template_stem(obj.service)
        if owners.setdefault(stem.casefold(), obj.service) != obj.service:
            raise RenderError(f"services {owners[stem.casefold()]!r} and {obj.service!r} would both be written "
                              f"to templates/{stem}.yaml", hint="rename one of the services")
        groups.setdefault(stem, []).append(obj)
    return {stem: sorted(members, key=lambda o: object_sort_key(o.body)) for stem, members in sorted(groups.items())}


_SECRET_FINDINGS = ("KM-W-SECRET-FILE", "KM-W-SECRET-ENV")


def chart_findings(findings: list[Finding], chart: RenderedChart) -> list[Finding]:
    """The findings as they hold for the chart: a secret value is *not* written into it, so the
    warnings that say so for manifests become one note per Secret on how to give it."""
    kept = [f for f in findings if f.code not in _SECRET_FINDINGS]
    notes = [
        Finding(code="KM-I-CHART-SECRET", severity="info", source=_compose_source(chart, s.existing.dotted),
                message=f"Secret {s.name} is not in the chart (its Compose value stays out of values.yaml)",
                hint=f"helm install … --set-file {s.data.dotted}.KEY=FILE (keys: {', '.join(s.keys)}), "
                     f"or --set {s.existing.dotted}=NAME")
        for s in chart.plan.secrets.values()
    ]
    return kept + notes


def _compose_source(chart: RenderedChart, value: str) -> str:
    """The Compose key a value came from; a top-level key (secrets.x) before a service's."""
    sources = chart.mapping.by_value.get(value) or [value]
    return sorted(sources, key=lambda source: source.startswith("services."))[0]
