"""Side-by-side mapping reports built from a Bundle's trace: terminal, Markdown, HTML, and the
picture alone (SVG)."""

from converter.report.data import ProjectReport, Row, ServiceReport, build_report
from converter.report.html import render_html
from converter.report.markdown import render_markdown
from converter.report.picture import render_svg
from converter.report.terminal import render_terminal

__all__ = [
    "ProjectReport", "Row", "ServiceReport", "build_report", "render_html", "render_markdown",
    "render_svg", "render_terminal",
]
