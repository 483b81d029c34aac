"""`kubemap report` and `kubemap explain`: the Compose → Kubernetes mapping, side by side."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from converter.cli.app import app, err_console, fail
from converter.cli.options import (
    EnvFileOpt,
    FileOpt,
    ProfileOpt,
    ProjectDirOpt,
    ProjectNameOpt,
    ShellEnvOpt,
    load_options,
)
from converter.errors import KubemapError


class ReportFormat(str, Enum):
    terminal = "terminal"
    markdown = "markdown"
    html = "html"
    svg = "svg"


def _build(files, env_files, profiles, project_name, project_directory, use_shell_env, network_policies,  # type: ignore[no-untyped-def]
           chart=False):
    from converter.load import load_project, resolved_config
    from converter.report import build_report
    from converter.translate import TranslateOptions, translate

    project = load_project(load_options(files, env_files, profiles, project_name, project_directory, use_shell_env))
    bundle = translate(project, TranslateOptions(network_policies=network_policies))
    blocks = resolved_config(project).get("services", {})
    return build_report(project, bundle, blocks, _chart_values(bundle, project.working_dir) if chart else None)


def _chart_values(bundle, project_dir):  # type: ignore[no-untyped-def]
    """(chart name, Compose key → chart values), as `convert --format helm` would make it."""
    from converter.cli.chart_output import build_chart
    from converter.render import RenderOptions
    from converter.render.helm import compact_values

    chart = build_chart(bundle, RenderOptions(project_dir=project_dir), "0.1.0", None)
    return chart.name, {source: compact_values(names) for source, names in chart.mapping.by_source.items()}


ChartOpt = Annotated[bool, typer.Option("--chart", help="Also show which value of the Helm chart "
                                        "(`kubemap convert --format helm`) each Compose key became.")]


def _warn_unset_variables(findings) -> None:  # type: ignore[no-untyped-def]
    """Every use of an unset variable on stderr, as convert prints it (R-VAR-01)."""
    from converter.cli.convert_cmd import UNSET_VARIABLE, finding_line

    for finding in findings:
        if finding.code == UNSET_VARIABLE:
            err_console.print(finding_line(finding), style="yellow", markup=False, soft_wrap=True)


@app.command("report")
def report_command(
    files: FileOpt = None,
    env_files: EnvFileOpt = None,
    profiles: ProfileOpt = None,
    project_name: ProjectNameOpt = None,
    project_directory: ProjectDirOpt = None,
    use_shell_env: ShellEnvOpt = False,
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

    try:
        report = _build(files, env_files, profiles, project_name, project_directory, use_shell_env, network_policies,
                        chart)
    except KubemapError as error:
        raise fail(error) from None
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
def explain_command(
    service: Annotated[str, typer.Argument(help="The Compose service to explain.")],
    key: Annotated[Optional[str], typer.Argument(help="Only this Compose key of the service, e.g. ports or healthcheck.")] = None,
    files: FileOpt = None,
    env_files: EnvFileOpt = None,
    profiles: ProfileOpt = None,
    project_name: ProjectNameOpt = None,
    project_directory: ProjectDirOpt = None,
    use_shell_env: ShellEnvOpt = False,
    chart: ChartOpt = False,
) -> None:
    """Explain how one service (or one of its keys) maps to Kubernetes.

    Examples:

        kubemap explain orchestrator -f compose/compose.yaml
        kubemap explain postgres volumes -f compose/compose.yaml
        kubemap explain worker deploy --chart   # → services.worker.replicas, resources
    """
    from converter.errors import KubemapError as Error
    from converter.report.terminal import service_table

    try:
        report = _build(files, env_files, profiles, project_name, project_directory, use_shell_env, False, chart)
        chosen = next((s for s in report.services if s.name == service), None)
        if chosen is None:
            names = ", ".join(s.name for s in report.services)
            raise Error(f"no service named {service!r}", hint=f"services: {names}")
        if key is not None and all(row.key != key for row in chosen.rows):
            keys = ", ".join(row.key for row in chosen.rows)
            raise Error(f"service {service!r} has no key {key!r}", key_path=f"services.{service}", hint=f"its keys: {keys}")
    except KubemapError as error:
        raise fail(error) from None
    console = Console()
    console.print(service_table(chosen, only_key=key))
    for finding in chosen.findings:
        if key is None or finding.source.split(".")[2:3] == [key] or finding.source.startswith(f"services.{service}.{key}"):
            console.print(f"[yellow]{finding.code}[/] {finding.source}: {finding.message}" + (f" ({finding.hint})" if finding.hint else ""))
