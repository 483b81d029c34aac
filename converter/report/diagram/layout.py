"""Where everything goes: one geometry for both panels, so a service sits at the same place in
the Compose panel and in the Kubernetes panel.

Each network group is laid out on its own (a layered drawing of its services), framed, and the
frames are laid out the same way, one level up. An arrow from one group to another leaves its
group through a port on the frame's bottom edge and enters the other through a port on the top
edge, so it never crosses a box inside either group. Arrows between the same two groups share
the ports and run as one bundle in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from converter.report.diagram.graph import Edge, Graph
from converter.report.diagram.layered import JUNCTION, Item, Link, Placement, Point, layered, upward_links
from converter.report.diagram.metrics import BOX_WIDTH, TAB_ROOM, box_height

FRAME_PAD = 18.0
FRAME_TITLE = 22.0
PANEL_MARGIN = 16.0
PANEL_TITLE = 30.0
PANEL_GAP = 48.0
ROW_LIMIT = 4  # boxes per row inside a group
GROUP_ROW_LIMIT = 3


@dataclass(frozen=True)
class Box:
    service: str
    x: float  # top left, in panel coordinates
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Frame:
    group: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Route:
    edge: int  # index in Graph.edges
    points: tuple[Point, ...]  # from the source box's edge to the target box's edge


@dataclass(frozen=True)
class Layout:
    panel_width: float
    panel_height: float
    boxes: dict[str, Box]
    frames: tuple[Frame, ...]
    routes: tuple[Route, ...]

    @property
    def width(self) -> float:
        return round(2 * self.panel_width + PANEL_GAP, 1)


def style_of(edge: Edge) -> str:
    return f"{edge.kind}{'-optional' if edge.optional else ''}"


def group_pairs(graph: Graph) -> list[tuple[str, str]]:
    """(group, group) for every arrow between two groups, once, in the order of the arrows."""
    group_of = {n.service: n.group for n in graph.nodes}
    pairs = {(group_of[e.source], group_of[e.target]): None for e in graph.edges}
    return [(a, b) for a, b in pairs if a != b]


def _group_placements(graph: Graph) -> tuple[dict[str, Placement], dict[str, list[tuple[int, str]]]]:
    """Each group's own drawing. Returns the placements and, per group, which of its links
    stands for which part of which edge ('in', 'out' or 'all').

    An arrow to another group leaves through a port on the bottom row and enters through one on
    the top row; when the groups' layout draws that pair upwards (a cycle between groups), the
    ports swap sides, so the arrow still leaves and enters without crossing its own group."""
    members: dict[str, list[str]] = {g.key: [] for g in graph.groups}
    group_of = {n.service: n.group for n in graph.nodes}
    for node in graph.nodes:
        members[node.group].append(node.service)
    pairs = group_pairs(graph)
    upward = {pairs[i] for i in upward_links([g.key for g in graph.groups], [Link(a, b) for a, b in pairs])}
    items: dict[str, list[Item]] = {key: [Item(s, BOX_WIDTH, box_height(graph.node(s))) for s in names]
                                    for key, names in members.items()}
    links: dict[str, list[Link]] = {key: [] for key in members}
    roles: dict[str, list[tuple[int, str]]] = {key: [] for key in members}
    flipped: dict[str, list[bool]] = {key: [] for key in members}
    ports: set[tuple[str, str]] = set()
    for index, edge in enumerate(graph.edges):
        source, target = group_of[edge.source], group_of[edge.target]
        style = style_of(edge)
        if source == target:
            links[source].append(Link(edge.source, edge.target, style))
            roles[source].append((index, "all"))
            flipped[source].append(False)
            continue
        up = (source, target) in upward
        # One port per (other group, style): arrows between two groups run as one bundle between
        # the frames and fan out inside them, as dot's `concentrate` does. Per-arrow ports would
        # make every arrow's source its own column.
        out_port, in_port = f"\x01out\x01{target}\x01{style}", f"\x01in\x01{source}\x01{style}"
        for group, port, place in ((source, out_port, "top" if up else "bottom"), (target, in_port, "bottom" if up else "top")):
            if (group, port) not in ports:
                ports.add((group, port))
                items[group].append(Item(port, JUNCTION, 2.0, place))
        # Links always point down inside a group; an upward part is laid out reversed.
        links[source].append(Link(out_port, edge.source, style) if up else Link(edge.source, out_port, style))
        roles[source].append((index, "out"))
        flipped[source].append(up)
        links[target].append(Link(edge.target, in_port, style) if up else Link(in_port, edge.target, style))
        roles[target].append((index, "in"))
        flipped[target].append(up)
    placements = {key: layered(items[key], links[key], row_limit=ROW_LIMIT) for key in members}
    for key, placement in placements.items():
        placement.routes = [route[::-1] if flip else route for route, flip in zip(placement.routes, flipped[key])]
    return placements, roles


def _attach(points: list[Point], source: Box, target: Box, start_x: float, end_x: float) -> tuple[Point, ...]:
    """Move both ends from the boxes' centres to their edges (bottom when leaving downwards, top
    when arriving from above), at the given x, keeping the band-crossing points vertical."""
    out = list(points)
    leaves_down = out[1][1] >= out[0][1]
    out[0] = (start_x, source.y + source.h if leaves_down else source.y)
    out[1] = (start_x, out[1][1])
    arrives_down = out[-1][1] >= out[-2][1]
    out[-1] = (end_x, target.y if arrives_down else target.y + target.h)
    out[-2] = (end_x, out[-2][1])
    cleaned: list[Point] = []
    for x, y in out:
        point = (round(x, 1), round(y, 1))
        if not cleaned or cleaned[-1] != point:
            cleaned.append(point)
    return tuple(cleaned)


def _spread(box: Box, count: int, position: int, tabs: bool = False) -> float:
    """x of the `position`-th of `count` arrows leaving or entering a box, across its middle
    (entering: left of the port tabs, which take the right part of the top edge)."""
    low, high = (0.12, (box.w - TAB_ROOM) / box.w - 0.04) if tabs else (0.2, 0.8)
    if count == 1:
        return box.x + box.w * (low + high) / 2
    return box.x + box.w * (low + (high - low) * position / (count - 1))


def layout_graph(graph: Graph) -> Layout:
    placements, roles = _group_placements(graph)
    frames_items = [Item(g.key, placements[g.key].width + 2 * FRAME_PAD,
                         placements[g.key].height + FRAME_TITLE + 2 * FRAME_PAD) for g in graph.groups]
    group_of = {n.service: n.group for n in graph.nodes}
    outer_pairs = group_pairs(graph)
    outer = layered(frames_items, [Link(a, b) for a, b in outer_pairs], row_limit=GROUP_ROW_LIMIT,
                    xspace=40.0, yspace=56.0, gap=40.0)
    top_left = (PANEL_MARGIN, PANEL_MARGIN + PANEL_TITLE)
    frames: list[Frame] = []
    offsets: dict[str, Point] = {}
    for item in frames_items:
        cx, cy = outer.centers[item.key]
        x, y = top_left[0] + cx - item.w / 2, top_left[1] + cy - item.h / 2
        frames.append(Frame(item.key, round(x, 1), round(y, 1), round(item.w, 1), round(item.h, 1)))
        offsets[item.key] = (x + FRAME_PAD, y + FRAME_TITLE + FRAME_PAD)
    boxes: dict[str, Box] = {}
    for node in graph.nodes:
        ox, oy = offsets[node.group]
        cx, cy = placements[node.group].centers[node.service]
        h = box_height(node)
        boxes[node.service] = Box(node.service, round(ox + cx - BOX_WIDTH / 2, 1), round(oy + cy - h / 2, 1), BOX_WIDTH, h)

    def absolute(group: str, points: list[Point]) -> list[Point]:
        ox, oy = offsets[group]
        return [(x + ox, y + oy) for x, y in points]

    parts: dict[int, dict[str, list[Point]]] = {}
    for key, placement in placements.items():
        for (index, role), route in zip(roles[key], placement.routes):
            parts.setdefault(index, {})[role] = absolute(key, route)
    outer_route = {pair: [(x + top_left[0], y + top_left[1]) for x, y in route]
                   for pair, route in zip(outer_pairs, outer.routes)}
    centres: dict[int, list[Point]] = {}
    for index, edge in enumerate(graph.edges):
        piece = parts[index]
        if "all" in piece:
            centres[index] = piece["all"]
        else:
            # Leave group A's band of rows at the out port's x, follow the groups' own route,
            # enter group B's band at the in port's x.
            between = outer_route[(group_of[edge.source], group_of[edge.target])][1:-1]
            out_x, in_x = piece["out"][-1][0], piece["in"][0][0]
            between = [(out_x, between[0][1]), *between[1:-1], (in_x, between[-1][1])]
            centres[index] = piece["out"] + between + piece["in"]
    # Spread the arrows along each box's bottom (leaving) and top (entering) edge, in the order
    # of where they go next, so that their labels and heads do not sit on each other.
    leaving: dict[str, list[int]] = {}
    entering: dict[str, list[int]] = {}
    for index, edge in enumerate(graph.edges):
        leaving.setdefault(edge.source, []).append(index)
        entering.setdefault(edge.target, []).append(index)
    tabbed = {n.service for n in graph.nodes if n.compose.ports or n.kubernetes.ports}
    start_x: dict[int, float] = {}
    end_x: dict[int, float] = {}
    for service, indexes in leaving.items():
        ordered = sorted(indexes, key=lambda i: (centres[i][2][0], i))
        for position, i in enumerate(ordered):
            start_x[i] = _spread(boxes[service], len(ordered), position)
    for service, indexes in entering.items():
        ordered = sorted(indexes, key=lambda i: (centres[i][-3][0], i))
        for position, i in enumerate(ordered):
            end_x[i] = _spread(boxes[service], len(ordered), position, service in tabbed)
    routes = tuple(Route(i, _attach(centres[i], boxes[e.source], boxes[e.target], start_x[i], end_x[i]))
                   for i, e in enumerate(graph.edges))
    panel_width = round(outer.width + 2 * PANEL_MARGIN, 1)
    panel_height = round(outer.height + PANEL_TITLE + 2 * PANEL_MARGIN, 1)
    return Layout(panel_width, panel_height, boxes, tuple(frames), routes)
