"""The picture of the mapping: the Compose services and what they became on Kubernetes, side by
side, as SVG (the HTML report and `report --format svg`) and as a Mermaid flowchart (Markdown).

graph (what to draw, from the Project and the Bundle) → layout (where, with grandalf) →
svg / mermaid (how). Pure functions: nothing here reads files or prints.
"""

from collections.abc import Callable

from converter.report.diagram.graph import Graph, extract_graph
from converter.report.diagram.layout import Layout, layout_graph
from converter.report.diagram.mermaid import render_mermaid
from converter.report.diagram.svg import render_svg

__all__ = ["Graph", "Layout", "extract_graph", "layout_graph", "render_mermaid", "render_svg", "diagram_svg"]


def diagram_svg(graph: Graph, href: Callable[[str], str] | None = None) -> str:
    """Lay out and draw `graph`; `href(service)` links each box (see render_svg)."""
    return render_svg(graph, layout_graph(graph), href)
