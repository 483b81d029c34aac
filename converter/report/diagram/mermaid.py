"""The picture's graph as a Mermaid flowchart, for Markdown (GitHub renders it): the Compose
panel and the Kubernetes panel as two subgraphs, each with one subgraph per network group."""

from __future__ import annotations

from converter.report.diagram.graph import Edge, Graph, Side
from converter.report.diagram.metrics import CHIP_LABEL

_ESCAPES = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "|": "#124;",
            "`": "#96;", "{": "#123;", "}": "#125;", "[": "#91;", "]": "#93;"}


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in text)


def _label(side: Side) -> str:
    lines = [f"<b>{_escape(side.title)}</b>", *(_escape(line) for line in side.lines)]
    if side.ports:
        lines.append("ports " + _escape(", ".join(side.ports)))
    lines += [f"{CHIP_LABEL[a.kind]} {_escape(a.name)}" for a in side.attachments]
    return "<br/>".join(lines)


def _arrow(edge: Edge, compose: bool) -> str:
    """Solid for a dependency, dotted when nothing waits or for a link, thick for a shared network."""
    if edge.kind == "network_mode":
        return "==>"
    dashed = edge.optional if compose else edge.k8s_label == "no wait"
    return "-.->" if dashed or edge.kind == "link" else "-->"


def _panel(graph: Graph, compose: bool, ids: dict[str, str]) -> list[str]:
    prefix = "c" if compose else "k"
    title = f"Compose: {graph.project}" if compose else "Kubernetes"
    out = [f'  subgraph {prefix}panel["{_escape(title)}"]', "    direction TB"]
    for index, group in enumerate(graph.groups):
        label = group.label if compose else group.k8s_label
        out.append(f'    subgraph {prefix}g{index}["{_escape(label)}"]')
        for node in graph.nodes:
            if node.group == group.key:
                side = node.compose if compose else node.kubernetes
                out.append(f'      {prefix}{ids[node.service]}["{_label(side)}"]')
        out.append("    end")
    for edge in graph.edges:
        arrow = _arrow(edge, compose)
        label = edge.label if compose else edge.k8s_label
        out.append(f'    {prefix}{ids[edge.source]} {arrow}|"{_escape(label)}"| {prefix}{ids[edge.target]}')
    out.append("  end")
    return out


def render_mermaid(graph: Graph) -> str:
    """A `flowchart` (without the Markdown fence). Node ids are positional (s0, s1, …) so any
    service name is safe; the names themselves are in the labels."""
    ids = {node.service: f"s{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    lines += _panel(graph, True, ids)
    lines += _panel(graph, False, ids)
    return "\n".join(lines) + "\n"
