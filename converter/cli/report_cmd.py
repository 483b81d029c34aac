"""`kubemap report` and `kubemap explain`: the Compose → Kubernetes mapping, side by side."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

from converter.cli.app import app, err_console
from converter.cli.findings import finding_line
from converter.cli.options import project_options
from converter.errors import KubemapError
from converter.load.options import LoadOptions

if TYPE_CHECKING:
    from converter.model import Finding
    from converter.pipeline import Conversion
    from converter.report import ProjectReport


class ReportFormat(str, Enum):
    terminal = "terminal"
    markdown = "markdown"
    html = "html"
    svg = "svg"


def _report(project: LoadOptions, *, network_policies: bool = False, chart: bool = False) -> ProjectReport:
    """The mapping report of the project, converted as `kubemap convert` would (without the
    lint findings: the report is about how each Compose key maps)."""
    from converter.load import resolved_config
    from converter.pipeline import ConvertOptions, TranslateOptions, convert
    from converter.report import build_report

    conversion = convert(ConvertOptions(load=project, translate=TranslateOptions(network_policies=network_policies),
                                        lint=False))
    blocks = resolved_config(conversion.project).get("services", {})
    return build_report(conversion.project, conversion.bundle, blocks, _chart_values(conversion) if chart else None)


def _chart_values(conversion: Conversion) -> tuple[str, dict[str, list[str]]]:
    """(chart name, Compose key → chart values), as `convert --format helm` would make it."""
    from converter.render.helm import compact_values

    chart = conversion.chart()
    return chart.name, {source: compact_values(names) for source, names in chart.mapping.by_source.items()}


ChartOpt = Annotated[bool, typer.Option("--chart", help="Also show which value of the Helm chart "
                                        "(`kubemap convert --format helm`) each Compose key became.")]


def _warn_unset_variables(findings: list[Finding]) -> None:
    """Every use of an unset variable on stderr, as convert prints it (R-VAR-01)."""
    from converter.model.bundle import UNSET_VARIABLE

    for finding in findings:
        if finding.code == UNSET_VARIABLE:
            err_console.print(finding_line(finding), style="yellow", markup=False, soft_wrap=True)


@app.command("report")
@project_options
def report_command(
    *,
    project: LoadOptions,
    output_format: Annotated[ReportFormat, typer.Option("--format", help="terminal (default), markdown, html, or svg (the picture alone).")] = ReportFormat.terminal,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write to this file instead of stdout (html is usually written to a file).")] = None,
    network_policies: Annotated[bool, typer.Option("--network-policies", help="Include NetworkPolicies, as `convert --network-policies` would.")] = False,
    chart: ChartOpt = False,
) -> None:
    """Show, for every service, each Compose key next to the Kubernetes field(s) it became.

    Each key is marked *mapped*, *approximated* (with why) or *not mapped* (with why and what to
    do). A summary and a map of Docker ideas to Kubernetes ideas come first. Every use of an
    unset variable (interpolated as an empty string) is printed to stderr.

    Examples:

        kubemap report -f compose/compose.yaml
        kubemap report --format markdown > mapping.md
        kubemap report --format html -o report.html
        kubemap report --format svg -o mapping.svg
        kubemap report --chart      # and the Helm chart value each key became
    """
    from converter.report import render_html, render_markdown, render_svg, render_terminal

    report = _report(project, network_policies=network_policies, chart=chart)
    _warn_unset_variables(report.findings)
    if output_format is ReportFormat.terminal:
        if output:
            with output.open("w", encoding="utf-8") as handle:
                render_terminal(report, Console(file=handle, width=160, color_system=None))
        else:
            render_terminal(report, Console())
        return
    renderers = {ReportFormat.markdown: render_markdown, ReportFormat.html: render_html, ReportFormat.svg: render_svg}
    text = renderers[output_format](report)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    else:
        typer.echo(text, nl=False)


@app.command("explain")
@project_options
def explain_command(
    *,
    project: LoadOptions,
    service: Annotated[str, typer.Argument(help="The Compose service to explain.")],
    key: Annotated[Optional[str], typer.Argument(help="Only this Compose key of the service, e.g. ports or healthcheck.")] = None,
    chart: ChartOpt = False,
) -> None:
    """Explain how one service (or one of its keys) maps to Kubernetes.

    Examples:

        kubemap explain orchestrator -f compose/compose.yaml
        kubemap explain postgres volumes -f compose/compose.yaml
        kubemap explain worker deploy --chart   # → services.worker.replicas, resources
    """
    from converter.report.terminal import service_table

    report = _report(project, chart=chart)
    chosen = next((s for s in report.services if s.name == service), None)
    if chosen is None:
        names = ", ".join(s.name for s in report.services)
        raise KubemapError(f"no service named {service!r}", hint=f"services: {names}")
    if key is not None and all(row.key != key for row in chosen.rows):
        keys = ", ".join(row.key for row in chosen.rows)
        raise KubemapError(f"service {service!r} has no key {key!r}", key_path=f"services.{service}",
                           hint=f"its keys: {keys}")
    console = Console()
    console.print(service_table(chosen, only_key=key))
    for finding in chosen.findings:
        if key is None or finding.key == key:
            console.print(f"[yellow]{finding.code}[/] {finding.source}: {finding.message}" + (f" ({finding.hint})" if finding.hint else ""))
