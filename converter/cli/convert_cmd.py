"""`kubemap convert`: the pipeline's output written to a folder (manifests or a Helm chart) or
stdout, with the findings on stderr."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from converter.cli.app import app, err_console
from converter.cli.findings import count, print_findings
from converter.cli.options import RegistryOpt, project_options
from converter.errors import RenderError
from converter.load.options import LoadOptions

DEFAULT_CHART_DIR = Path("chart")


class Format(str, Enum):
    yaml = "yaml"
    json = "json"
    helm = "helm"


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
        "* `kubemap build --push --registry ghcr.io/acme && kubemap convert --registry ghcr.io/acme` — for a "
        "cluster that pulls the built images from a registry (docs/kompose.md)"
    ),
)
@project_options
def convert_command(
    *,
    project: LoadOptions,
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
    # Imported here: only the command that runs pays for the converter (start-up time matters).
    from converter.model.registry import check_registry
    from converter.pipeline import ConvertOptions, TranslateOptions, convert
    from converter.render import write_output
    from converter.render.helm import ChartOptions, chart_findings, check_options

    helm = output_format is Format.helm
    if helm:  # flag errors before anything is loaded or printed
        if stdout:
            raise RenderError("--stdout cannot print a Helm chart (a folder of files)",
                              hint="write it with -o DIR; `helm template NAME DIR` prints its objects")
        check_options(ChartOptions(chart_version=chart_version, app_version=app_version))
    conversion = convert(ConvertOptions(
        load=project,
        translate=TranslateOptions(network_policies=network_policies, namespace=namespace, strict=strict,
                                   registry=check_registry(registry) if registry else None),
        output_format="json" if output_format is Format.json else "yaml",
        kube_version=kube_version,
    ))
    bundle = conversion.bundle
    if helm:
        chart = conversion.chart(chart_version, app_version)
        shown = chart_findings(list(bundle.findings), chart)
        print_findings(shown)
        folder = output_dir or DEFAULT_CHART_DIR
        result = write_output(chart.files, folder, chart=True)
        removed = f", removed {len(result.removed)} stale" if result.removed else ""
        err_console.print(f"wrote chart {chart.name} ({len(result.written)} files, {len(chart.plan.values.entries)} "
                          f"values) to {folder}{removed}: helm install {chart.name} {folder}; {count(shown, 'warning')}",
                          markup=False, soft_wrap=True)
        return
    print_findings(bundle.findings)
    summary = f"{len(bundle.objects)} objects; {count(bundle.findings, 'warning')}"
    if stdout:
        _write_stdout(conversion.stream())
        err_console.print(f"rendered {summary}", markup=False)
        return
    folder = output_dir or Path("k8s")
    result = write_output(conversion.files(), folder)
    removed = f", removed {len(result.removed)} stale" if result.removed else ""
    err_console.print(f"wrote {len(result.written)} files to {folder}{removed}, {summary}", markup=False,
                      soft_wrap=True)
