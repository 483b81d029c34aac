"""`kubemap convert --format helm`: the part of `convert` only the chart format needs (flags,
rendering, findings as they hold for a chart, writing); convert_cmd.py calls it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from converter.errors import RenderError

if TYPE_CHECKING:
    from converter.model import Bundle, Finding
    from converter.render import RenderOptions
    from converter.render.helm import RenderedChart

DEFAULT_CHART_DIR = Path("chart")


def check_flags(stdout: bool, chart_version: str, app_version: str | None) -> None:
    """Flag errors before anything is loaded or printed."""
    from converter.render.helm import ChartOptions, check_options

    if stdout:
        raise RenderError("--stdout cannot print a Helm chart (a folder of files)",
                          hint="write it with -o DIR; `helm template NAME DIR` prints its objects")
    check_options(ChartOptions(chart_version=chart_version, app_version=app_version))


def build_chart(bundle: Bundle, options: RenderOptions, chart_version: str, app_version: str | None) -> RenderedChart:
    from converter.render.helm import ChartOptions, render_chart
    from converter.render.render import relative_sources

    chart_options = ChartOptions(chart_version=chart_version, app_version=app_version, namespace=options.namespace,
                                 kube_version=options.kube_version, project_dir=options.project_dir)
    return render_chart(bundle, chart_options, relative_sources(bundle, options.project_dir))


def findings(bundle: Bundle, chart: RenderedChart) -> list[Finding]:
    from converter.render.helm import chart_findings

    return chart_findings(list(bundle.findings), chart)


def write_chart(chart: RenderedChart, output_dir: Path) -> str:
    """Write the chart; the summary line for stderr."""
    from converter.render import write_output

    result = write_output(chart.files, output_dir, chart=True)
    removed = f", removed {len(result.removed)} stale" if result.removed else ""
    return (f"wrote chart {chart.name} ({len(result.written)} files, {len(chart.plan.values.entries)} values) "
            f"to {output_dir}{removed}: helm install {chart.name} {output_dir}")
