"""The picture as SVG: the Compose panel on the left, the Kubernetes panel on the right, one
geometry for both. Complete without script or network; the HTML report adds hover and links."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from converter.report.diagram.graph import Attachment, Edge, Graph, Node, Side
from converter.report.diagram.layout import PANEL_GAP, Box, Frame, Layout, Route
from converter.report.diagram.metrics import (
    BOX_WIDTH, CHIP_HEIGHT, CHIP_SIZE, FONT, PAD, TAB_HEIGHT, TAB_ROOM, TEXT_LINE, TEXT_SIZE,
    TITLE_LINE, TITLE_SIZE, chips_top, display_lines, fit, place_chips, text_width,
)

STYLE = f"""
.km-diagram{{font-family:{FONT}}}
.km-bg{{fill:var(--km-bg,#ffffff)}}
.km-panel-title{{font-size:14px;font-weight:700;fill:var(--km-fg,#1b1f24)}}
.km-frame{{fill:var(--km-frame,#f6f8fa);stroke:var(--km-frame-line,#afb8c1);stroke-dasharray:5 3}}
.km-k8s .km-frame{{fill:var(--km-k8s-frame,#f1f6ff)}}
.km-frame-label{{font-size:11px;fill:var(--km-muted,#57606a)}}
.km-box{{fill:var(--km-box,#ffffff);stroke:var(--km-box-line,#57606a);stroke-width:1.2}}
.km-k8s .km-box{{stroke:var(--km-k8s-line,#326ce5)}}
.km-title{{font-size:{TITLE_SIZE:g}px;font-weight:700;fill:var(--km-fg,#1b1f24)}}
.km-text{{font-size:{TEXT_SIZE:g}px;fill:var(--km-text,#3d444d)}}
.km-edge{{fill:none;stroke:var(--km-edge,#6e7781);stroke-width:1.3}}
.km-optional,.km-nowait{{stroke-dasharray:5 4}}
.km-link{{stroke-dasharray:2 3}}
.km-network_mode{{stroke-width:2.2;stroke-dasharray:7 3}}
.km-head{{fill:var(--km-edge,#6e7781)}}
.km-elabel{{font-size:9px;fill:var(--km-muted,#57606a);paint-order:stroke;stroke:var(--km-bg,#ffffff);stroke-width:3px}}
.km-chip rect{{fill:var(--km-chip,#f6f8fa);stroke:var(--km-chip-line,#afb8c1)}}
.km-chip text{{font-size:{CHIP_SIZE:g}px;fill:var(--km-fg,#1b1f24)}}
.km-icon{{fill:none;stroke:var(--km-icon,#57606a);stroke-width:1.1}}
.km-volume .km-icon,.km-pvc .km-icon{{stroke:#8250df}}
.km-secret .km-icon,.km-k8s-secret .km-icon{{stroke:#cf222e}}
.km-config .km-icon,.km-configmap .km-icon{{stroke:#1a7f37}}
.km-tab rect{{fill:var(--km-tab,#dafbe1);stroke:var(--km-tab-line,#1a7f37)}}
.km-k8s .km-tab rect{{fill:var(--km-k8s-tab,#ddf4ff);stroke:var(--km-k8s-line,#326ce5)}}
.km-tab text{{font-size:{CHIP_SIZE:g}px;fill:var(--km-fg,#1b1f24)}}
.km-node:hover .km-box,.km-hl .km-box{{stroke:var(--km-hl-line,#bf8700);stroke-width:3}}
.km-hl .km-box{{fill:var(--km-hl,#fff8c5)}}
"""

ARROW = ('<marker id="km-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
         'orient="auto"><path class="km-head" d="M0,0L10,5L0,10z"/></marker>')


def _n(value: float) -> str:
    """A coordinate as short, stable text."""
    return f"{round(value, 1):g}"


def _text(x: float, y: float, text: str, cls: str, anchor: str = "") -> str:
    extra = f' text-anchor="{anchor}"' if anchor else ""
    return f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}"{extra}>{escape(text)}</text>'


def _icon(kind: str, x: float, y: float) -> str:
    """A 10×10 shape at (x, y): a cylinder for storage, a lock for secrets, a page for configs."""
    if kind in ("volume", "pvc"):
        d = (f"M{_n(x)},{_n(y + 2)}a5,2 0 0 1 10,0v6a5,2 0 0 1 -10,0z"
             f"M{_n(x)},{_n(y + 2)}a5,2 0 0 0 10,0")
    elif kind in ("secret", "k8s-secret"):
        d = (f"M{_n(x + 1)},{_n(y + 5)}h8v5h-8z"
             f"M{_n(x + 2.5)},{_n(y + 5)}v-2a2.5,2.5 0 0 1 5,0v2")
    else:
        d = f"M{_n(x + 1)},{_n(y)}h5l3,3v7h-8zM{_n(x + 6)},{_n(y)}v3h3"
    return f'<path class="km-icon" d="{d}"/>'


def _chip(attachment: Attachment, text: str, x: float, y: float, w: float, *, label: str) -> str:
    return (f'<g class="km-chip km-{attachment.kind}"><title>{escape(label)} {escape(attachment.name)}</title>'
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(CHIP_HEIGHT)}" rx="3"/>'
            + _icon(attachment.kind, x + 4, y + 3)
            + _text(x + 4 + 14, y + CHIP_HEIGHT - 4.5, text, "km-chip-text") + "</g>")


def _tabs(ports: tuple[str, ...], box: Box) -> str:
    """Published ports as tabs on the box's top edge, from the right; what does not fit is
    counted in a last '+N' tab (the tooltip lists them all)."""
    out = []
    right, limit = box.x + box.w - PAD, box.x + box.w - TAB_ROOM
    for index, port in enumerate(ports):
        more = f"+{len(ports) - index}"
        after = 0.0 if index == len(ports) - 1 else text_width(f"+{len(ports)}", CHIP_SIZE) + 14
        text = port if right - (text_width(port, CHIP_SIZE) + 10) - after >= limit else more
        w = text_width(text, CHIP_SIZE) + 10
        out.append(f'<g class="km-tab"><title>published {escape(", ".join(ports[index:]) if text == more else port)}</title>'
                   f'<rect x="{_n(right - w)}" y="{_n(box.y - TAB_HEIGHT / 2)}" width="{_n(w)}" height="{_n(TAB_HEIGHT)}" rx="3"/>'
                   + _text(right - w + 5, box.y + 3.5, text, "km-tab-text") + "</g>")
        right -= w + 4
        if text == more:
            break
    return "".join(out)


CHIP_KIND = {"volume": "volume", "secret": "secret", "config": "config",
             "pvc": "PersistentVolumeClaim", "configmap": "ConfigMap", "k8s-secret": "Secret"}


def _node(node: Node, side: Side, box: Box, panel: str, href: str | None) -> str:
    tooltip = "\n".join([side.title, *side.lines, *(f"port {p}" for p in side.ports),
                         *(f"{CHIP_KIND[a.kind]} {a.name}" for a in side.attachments)])
    room = BOX_WIDTH - 2 * PAD
    parts = [f"<title>{escape(tooltip)}</title>",
             f'<rect class="km-box" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" rx="6"/>',
             _text(box.x + PAD, box.y + PAD + TITLE_SIZE, fit(side.title, room, TITLE_SIZE), "km-title")]
    y = box.y + PAD + TITLE_LINE
    for line in display_lines(side):
        parts.append(_text(box.x + PAD, y + TEXT_SIZE, line, "km-text"))
        y += TEXT_LINE
    chips, _ = place_chips(side.attachments, chips_top(side))
    parts += [_chip(c.attachment, c.text, box.x + c.x, box.y + c.y, c.w, label=CHIP_KIND[c.attachment.kind]) for c in chips]
    parts.append(_tabs(side.ports, box))
    body = "".join(parts)
    if href:
        body = f'<a href="{escape(href)}">{body}</a>'
    return (f'<g class="km-node" id="km-{panel}-{escape(_slug(node.service))}" data-service="{escape(node.service)}">'
            f"{body}</g>")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)


def _path(points: tuple[tuple[float, float], ...]) -> str:
    """Through every point, leaving and arriving vertically, as dot draws its splines."""
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{_n(x0)},{_n(y0)}"]
    px, py = x0, y0
    for x, y in rest:
        dy = (y - py) / 2
        d.append(f"C{_n(px)},{_n(py + dy)} {_n(x)},{_n(y - dy)} {_n(x)},{_n(y)}")
        px, py = x, y
    return "".join(d)


def _edge(edge: Edge, route: Route, panel: str) -> str:
    if panel == "c":
        label, classes, detail = edge.label, [edge.kind] + (["optional"] if edge.optional else []), edge.label
    else:
        label, detail = edge.k8s_label, edge.k8s_detail or edge.k8s_label
        classes = [edge.kind] + (["nowait"] if edge.k8s_label == "no wait" else [])
    sx, sy = route.points[0]
    going_down = len(route.points) < 2 or route.points[1][1] >= sy
    label_y = sy + 11 if going_down else sy - 5
    return (f'<g class="km-arrow" data-from="{escape(edge.source)}" data-to="{escape(edge.target)}">'
            f"<title>{escape(edge.source)} → {escape(edge.target)}: {escape(detail)}</title>"
            f'<path class="km-edge {" ".join("km-" + c for c in classes)}" d="{_path(route.points)}" marker-end="url(#km-arrow)"/>'
            + _text(sx, label_y, label, "km-elabel", "middle") + "</g>")


def _frame(frame: Frame, label: str) -> str:
    return (f'<g class="km-group" data-group="{escape(frame.group)}"><title>{escape(label)}</title>'
            f'<rect class="km-frame" x="{_n(frame.x)}" y="{_n(frame.y)}" '
            f'width="{_n(frame.w)}" height="{_n(frame.h)}" rx="10"/>'
            + _text(frame.x + 10, frame.y + 16, fit(label, frame.w - 20, 11), "km-frame-label") + "</g>")


def _panel(graph: Graph, layout: Layout, panel: str, href: Callable[[str], str] | None) -> str:
    compose = panel == "c"
    groups = {g.key: g for g in graph.groups}
    title = f"Compose: {graph.project}" if compose else "Kubernetes: what each service became"
    parts = [_text(16, 24, fit(title, layout.panel_width - 32, 14), "km-panel-title")]
    parts += [_frame(f, groups[f.group].label if compose else groups[f.group].k8s_label) for f in layout.frames]
    parts += [_edge(graph.edges[r.edge], r, panel) for r in layout.routes]
    for node in graph.nodes:
        parts.append(_node(node, node.compose if compose else node.kubernetes, layout.boxes[node.service], panel,
                           href(node.service) if href else None))
    offset = "" if compose else f' transform="translate({_n(layout.panel_width + PANEL_GAP)} 0)"'
    return f'<g class="km-panel km-{"compose" if compose else "k8s"}"{offset}>{"".join(parts)}</g>'


def render_svg(graph: Graph, layout: Layout, href: Callable[[str], str] | None = None) -> str:
    """The picture. `href(service)` makes each box a link (the HTML report's table rows)."""
    width, height = layout.width, layout.panel_height
    divider = layout.panel_width + PANEL_GAP / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="km-diagram" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" aria-labelledby="km-diagram-title">'
        f'<title id="km-diagram-title">{escape(graph.project)}: {len(graph.nodes)} Compose services and what they '
        "became on Kubernetes</title>"
        f"<style>{STYLE}</style><defs>{ARROW}</defs>"
        f'<rect class="km-bg" width="{_n(width)}" height="{_n(height)}"/>'
        f'<path d="M{_n(divider)},8V{_n(height - 8)}" stroke="#afb8c1" stroke-dasharray="2 4"/>'
        + _panel(graph, layout, "c", href) + _panel(graph, layout, "k", href)
        + "</svg>"
    )
