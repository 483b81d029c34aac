"""`kubemap convert`: load → translate → render → write, with findings on stderr."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from converter.cli.app import app, err_console, fail
from converter.cli.options import (
    EnvFileOpt,
    FileOpt,
    ProfileOpt,
    ProjectDirOpt,
    ProjectNameOpt,
    RegistryOpt,
    ShellEnvOpt,
    load_options,
)
from converter.errors import KubemapError, TranslateError

if TYPE_CHECKING:
    from converter.load import LoadOptions
    from converter.model import Bundle, Finding, TraceEntry
    from converter.model.project import Project
    from converter.render import RenderOptions


UNSET_VARIABLE = "KM-W-VAR-UNSET"  # R-VAR-01: --strict refuses these


class Format(str, Enum):
    yaml = "yaml"
    json = "json"
    helm = "helm"


@dataclass(frozen=True)
class Conversion:
    """What one conversion produced: the Bundle (trace + findings) and the rendered output."""

    bundle: Bundle
    render_options: RenderOptions
    project: Project | None = None  # the loaded project (`kubemap up` builds its images)


def convert_project(
    load: LoadOptions,
    *,
    network_policies: bool = False,
    output_format: str = "yaml",
    namespace: str | None = None,
    kube_version: str | None = None,
    node_ports: str = "auto",
    registry: str | None = None,
) -> Conversion:
    """Load and translate a project, and fix how it will be rendered. No printing, no writing:
    the golden tests and the drift test run exactly this."""
    # Imported here: only the command that runs pays for them (start-up time matters).
    from converter.load import load_project
    from converter.render import RenderOptions, newest_kube_version
    from converter.translate import TranslateOptions, translate

    from converter.lint import lint

    project = load_project(load)
    # The namespace goes to both: translate uses it where a field must name it (RoleBinding
    # subjects), render puts every object in it and adds the Namespace object.
    bundle = translate(project, TranslateOptions(network_policies=network_policies, namespace=namespace,
                                                 node_ports=node_ports, registry=registry))
    # What `kubemap lint` would say about the output, as findings of the conversion.
    checked = lint([o.body for o in bundle.objects], bundle.shellless_images)
    bundle = bundle.model_copy(update={"findings": [*bundle.findings, *checked]})
    options = RenderOptions(
        format="json" if output_format == "json" else "yaml",
        namespace=namespace,
        kube_version=kube_version or newest_kube_version(),
        project_dir=project.working_dir,
    )
    return Conversion(bundle=bundle, render_options=options, project=project)


def unsupported_entries(bundle: Bundle) -> list[TraceEntry]:
    """Trace entries for Compose keys kubemap could not express in Kubernetes (--strict fails
    on these)."""
    return [entry for entry in bundle.trace if entry.status == "unsupported"]


def finding_line(finding: Finding) -> str:
    hint = f" ({finding.hint})" if finding.hint else ""
    return f"{finding.severity} {finding.code} {finding.source}: {finding.message}{hint}"


def _write_stdout(content: bytes) -> None:
    """Write to stdout; a reader that goes away early (`| head`) ends us quietly, not with a
    traceback (exit 1: the output was not all delivered)."""
    try:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
        raise typer.Exit(code=1) from None


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        err_console.print(finding_line(finding), style=_SEVERITY_STYLE.get(finding.severity), markup=False,
                          soft_wrap=True)


def _count(findings: list[Finding], severity: str) -> str:
    number = sum(1 for f in findings if f.severity == severity)
    return f"{number} {severity}{'' if number == 1 else 's'}"


@app.command(
    "convert",
    epilog=(
        "**Examples**\n\n"
        "* `kubemap convert` — compose.yaml in this folder → k8s/\n\n"
        "* `kubemap convert -f compose/compose.yaml -o k8s` — what `make k8s` runs\n\n"
        "* `kubemap convert -f compose.yaml -f compose.prod.yaml --profile worker -o deploy/k8s`\n\n"
        "* `kubemap convert --stdout | kubectl apply --dry-run=server -f -`\n\n"
        "* `kubemap convert --namespace shop --network-policies --strict`\n\n"
        "* `kind create cluster --config k8s/kind-config.yaml && kubectl apply -k k8s`\n\n"
        "* `kubemap convert --format helm -o chart` — a Helm chart: values with the Compose values as "
        "defaults, values.schema.json; then `helm install NAME chart --set-file secrets.X.data.KEY=FILE`\n\n"
        "* `kubemap build --push --registry ghcr.io/acme && kubemap convert --registry ghcr.io/acme` — "
        "for a cluster that pulls the built images from a registry"
    ),
)
def convert_command(
    files: FileOpt = None,
    env_files: EnvFileOpt = None,
    profiles: ProfileOpt = None,
    project_name: ProjectNameOpt = None,
    project_directory: ProjectDirOpt = None,
    use_shell_env: ShellEnvOpt = False,
    output_dir: Annotated[
        Optional[Path],
        typer.Option("-o", "--output-dir", help="Write the manifests (default k8s) or the chart "
                     "(--format helm; default chart) into this directory. Files kubemap wrote "
                     "earlier and no longer produces are removed; other files are left alone.",
                     show_default=False),
    ] = None,
    stdout: Annotated[
        bool,
        typer.Option("--stdout", help="Print all objects to stdout (one YAML stream, or one JSON "
                     "List) instead of writing files; no kustomization or kind config."),
    ] = False,
    output_format: Annotated[
        Format, typer.Option("--format", help="yaml: YAML documents separated by '---' lines. json: "
                             "one v1 List per file (SERVICE.json). helm: a Helm chart (Chart.yaml, "
                             "values.yaml with the Compose values as defaults, values.schema.json, "
                             "one template per service; Secrets' values are never written into it; "
                             "see docs/helm.md).", case_sensitive=False),
    ] = Format.yaml,
    chart_version: Annotated[
        str, typer.Option("--chart-version", help="--format helm: the chart's version (SemVer).")
    ] = "0.1.0",
    app_version: Annotated[
        Optional[str],
        typer.Option("--app-version", help="--format helm: the chart's appVersion (also the "
                     "app.kubernetes.io/version label); none by default.", show_default=False),
    ] = None,
    namespace: Annotated[
        Optional[str],
        typer.Option("--namespace", help="Put every object in this namespace and add the "
                     "Namespace object.", show_default=False),
    ] = None,
    kube_version: Annotated[
        Optional[str],
        typer.Option("--kube-version", help="Validate against this Kubernetes version's schemas "
                     "(default: the newest bundled).", show_default=False),
    ] = None,
    network_policies: Annotated[
        bool,
        typer.Option("--network-policies", help="Also emit NetworkPolicies that allow exactly "
                     "the traffic Compose networks allow."),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail (exit 2, nothing written) when a Compose key cannot "
                     "be expressed in Kubernetes, or an unset variable was interpolated as an empty "
                     "string, instead of warning."),
    ] = False,
    registry: RegistryOpt = None,
) -> None:
    """Convert a Compose project into Kubernetes manifests.

    Writes one file per Compose service (its workload, Services, ConfigMaps, Secrets, PVCs),
    `_shared.yaml` for objects that belong to no single service, a `kustomization.yaml` listing
    them, and a `kind-config.yaml` that publishes the Compose host ports on a kind node.

    `--format helm` writes a Helm chart instead: the same objects as templates, with what a user
    changes per environment (images, replicas, resources, environment, Service type and ports,
    ingress, persistence, probes, scheduling) as values whose defaults are the Compose values,
    a values.schema.json, NOTES.txt and a README listing every value. Secret values never go
    into the chart: pass them at install time (`--set-file secrets.NAME.data.KEY=FILE`) or name
    an existing Secret. `kubemap report --chart` shows which value each Compose key became.

    Every object is checked against the Kubernetes schema (strict) before anything is written;
    the output is byte-for-byte the same for the same input. Findings (what changed meaning or
    could not be converted, every use of an unset variable, and what `kubemap lint` finds in
    the output) go to stderr, one line each, followed by a summary.

    Exit codes: 0 converted; 2 bad input, a --strict violation, or a kubemap bug (the message
    says which).
    """
    from converter.model.registry import check_registry
    from converter.render import object_count, render, render_stream, write_output

    helm = output_format is Format.helm
    try:
        if helm:
            from converter.cli import chart_output

            chart_output.check_flags(stdout, chart_version, app_version)
        conversion = convert_project(
            load_options(files, env_files, profiles, project_name, project_directory, use_shell_env),
            network_policies=network_policies,
            output_format=output_format.value,
            namespace=namespace,
            kube_version=kube_version,
            registry=check_registry(registry) if registry else None,
        )
        bundle = conversion.bundle
        chart = chart_output.build_chart(bundle, conversion.render_options, chart_version, app_version) if helm else None
        shown = chart_output.findings(bundle, chart) if chart else bundle.findings
        _print_findings(shown)
        unsupported = unsupported_entries(bundle)
        if strict and unsupported:
            listed = "; ".join(f"{e.source} ({e.reason})" if e.reason else e.source for e in unsupported)
            raise TranslateError(
                f"--strict: {len(unsupported)} Compose key(s) cannot be converted: {listed}",
                hint="remove or change those keys, or drop --strict to convert with warnings",
            )
        unset = [f for f in bundle.findings if f.code == UNSET_VARIABLE]
        if strict and unset:
            listed = "; ".join(f"{f.source}: {f.message}" for f in unset)
            raise TranslateError(f"--strict: {len(unset)} use(s) of unset variables: {listed}",
                                 hint="set them in .env or an --env-file, or drop --strict")
        findings_summary = f"{_count(shown, 'warning')}"
        if chart is not None:
            summary = chart_output.write_chart(chart, output_dir or chart_output.DEFAULT_CHART_DIR)
            err_console.print(f"{summary}; {findings_summary}", markup=False, soft_wrap=True)
            return
        objects = object_count(bundle, conversion.render_options)
        if stdout:
            _write_stdout(render_stream(bundle, conversion.render_options))
            err_console.print(f"rendered {objects} objects; {findings_summary}", markup=False)
            return
        output_dir = output_dir or Path("k8s")
        result = write_output(render(bundle, conversion.render_options), output_dir)
    except KubemapError as error:
        raise fail(error) from None
    removed = f", removed {len(result.removed)} stale" if result.removed else ""
    err_console.print(
        f"wrote {len(result.written)} files to {output_dir}{removed}, {objects} objects; {findings_summary}",
        markup=False,
        soft_wrap=True,
    )
