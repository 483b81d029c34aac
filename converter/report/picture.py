"""The report's picture alone, as a standalone SVG file (`kubemap report --format svg`)."""

from __future__ import annotations

from converter.report.data import ProjectReport
from converter.report.diagram import diagram_svg


def render_svg(report: ProjectReport) -> str:
    """The SVG document: an XML declaration, then the same picture the HTML report shows."""
    if report.graph is None:
        raise ValueError("the report has no graph")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + diagram_svg(report.graph) + "\n"
