"""A layered (Sugiyama) drawing of boxes and arrows, top to bottom: what depends on something is
drawn above it. grandalf does the hard parts (ordering the boxes of each row to reduce crossings,
Brandes–Köpf coordinates); this module decides the rows and packs unconnected parts.

Two choices keep big projects readable, and both are plain rules, not randomness:
- rows hold at most `row_limit` boxes (a bounded-width layering, filled from the bottom), so 20
  workers that all use the same database make five rows, not one row 5,000 px wide;
- arrows that skip rows share one small junction per (target, style, row), so the 40 arrows from
  those workers into the database run down a few trunks instead of 40 parallel lines (or per
  source, where one source fans out to many targets).

Deterministic: rows, junctions and grandalf's input are built in the caller's order (grandalf
keeps insertion order; its own connected-component split iterates a set of edges, so it is not
used), and coordinates are rounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grandalf.graphs import Edge as GEdge
from grandalf.graphs import Vertex, graph_core
from grandalf.layouts import Layer, SugiyamaLayout, VertexViewer

Point = tuple[float, float]

JUNCTION = 10.0  # width reserved for a trunk passing through a row
ORDER_ROUNDS = 2.5  # grandalf ordering sweeps (down, up, down)


@dataclass(frozen=True)
class Item:
    key: str
    w: float
    h: float
    place: str = ""  # "top" / "bottom": alone in the first / last row (ports of a group)


@dataclass(frozen=True)
class Link:
    source: str  # drawn above
    target: str
    style: str = ""  # links into one target with one style share their trunk


@dataclass
class Placement:
    """Centres of the items, the drawing's size (origin at the top left), and per link the
    points its arrow passes through, from the source's centre to the target's centre: where it
    leaves the source's band, enters and leaves each junction's band, enters the target's."""

    centers: dict[str, Point] = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0
    routes: list[list[Point]] = field(default_factory=list)


def _components(items: list[Item], links: list[Link], order: dict[str, int]) -> list[list[Item]]:
    parent = {item.key: item.key for item in items}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for link in links:
        a, b = find(link.source), find(link.target)
        if a != b:
            parent[max(a, b, key=order.__getitem__)] = min(a, b, key=order.__getitem__)
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(find(item.key), []).append(item)
    return list(groups.values())


def upward_links(keys: list[str], links: list[Link]) -> set[int]:
    """Indexes of links to draw upwards so that the rest has no cycle (DFS back edges, in input
    order). depends_on has no cycles (the loader refuses them); links and network_mode may."""
    out: dict[str, list[tuple[str, int]]] = {k: [] for k in keys}
    for i, link in enumerate(links):
        out[link.source].append((link.target, i))
    state: dict[str, int] = {}
    back: set[int] = set()
    for root in keys:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            step = next(children, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            child, index = step
            if state.get(child) == 1:
                back.add(index)
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(out[child])))
    return back


def _rows(items: list[Item], down: list[tuple[str, str]], row_limit: int, order: dict[str, int]) -> dict[str, int]:
    """Row of each item counted from the bottom, at most `row_limit` boxes a row, every item
    above everything it points to. `down` holds (upper, lower) pairs without cycles."""
    below: dict[str, set[str]] = {i.key: set() for i in items}
    above: dict[str, set[str]] = {i.key: set() for i in items}
    for upper, lower in down:
        below[upper].add(lower)
        above[lower].add(upper)
    depth: dict[str, int] = {}  # longest chain of items above: those go low first, to free rows above

    def depth_of(key: str) -> int:
        if key not in depth:
            depth[key] = 0  # guards nothing: the graph is acyclic here
            depth[key] = max((depth_of(u) + 1 for u in sorted(above[key], key=order.__getitem__)), default=0)
        return depth[key]

    for item in items:
        depth_of(item.key)
    row: dict[str, int] = {}
    current = 0
    bottom = [i.key for i in items if i.place == "bottom"]
    if bottom:
        for key in bottom:
            row[key] = 0
        current = 1
    pending = [i for i in items if i.place != "top" and i.key not in row]
    while pending:
        ready = [i for i in pending if all(b in row and row[b] < current for b in below[i.key])]
        # Deepest first (what others wait for goes low); then whatever sits right above the row
        # its own targets are in, so arrows stay short; then input order.
        ready.sort(key=lambda i: (-depth[i.key], -max((row[b] for b in below[i.key]), default=-1), order[i.key]))
        chosen = ready[:row_limit]
        if not chosen:  # unreachable for an acyclic graph; keep going rather than loop forever
            chosen = pending[:1]
        for item in chosen:
            row[item.key] = current
        picked = {i.key for i in chosen}
        pending = [i for i in pending if i.key not in picked]
        current += 1
    top = [i.key for i in items if i.place == "top"]
    for key in top:
        row[key] = current
    return row


def _sugiyama(keys: list[str], sizes: dict[str, tuple[float, float]], ranks: dict[str, int],
              pairs: list[tuple[str, str]], xspace: float, *, yspace: float) -> dict[str, Point]:
    """grandalf's ordering and coordinates for a connected graph whose edges all join
    neighbouring ranks (so grandalf adds no dummies of its own)."""
    vertices = {k: Vertex(k) for k in keys}
    for key, vertex in vertices.items():
        vertex.view = VertexViewer(w=sizes[key][0], h=sizes[key][1])
    edges = [GEdge(vertices[a], vertices[b]) for a, b in pairs]
    core = graph_core(list(vertices.values()), edges)
    sug = SugiyamaLayout(core)
    sug.xspace, sug.yspace = xspace, yspace
    # What init_all does, with our ranks instead of grandalf's longest-path ranking.
    sug.alt_e = []
    top = max(ranks.values())
    layers = [Layer([]) for _ in range(top + 1)]
    for key in keys:
        sug.grx[vertices[key]].rank = ranks[key]
        layers[ranks[key]].append(vertices[key])
    sug.layers = layers
    for layer in layers:
        layer.setup(sug)
    sug.initdone = True
    sug.draw(N=ORDER_ROUNDS)
    centers = {k: (float(v.view.xy[0]), float(v.view.xy[1])) for k, v in vertices.items()}
    # Brandes–Köpf's four alignments are averaged per box, which can bring neighbours closer
    # than `xspace`; push them apart again, left to right, in grandalf's order.
    for layer in layers:
        previous: tuple[float, float] | None = None
        for vertex in layer:
            x, y = centers[vertex.data]
            half = sizes[vertex.data][0] / 2
            if previous is not None and x - half < previous[0] + previous[1] + xspace:
                x = previous[0] + previous[1] + xspace + half
            centers[vertex.data] = (x, y)
            previous = (x, half)
    return centers


def _layout_component(items: list[Item], links: list[Link], row_limit: int, xspace: float,
                      yspace: float, *, order: dict[str, int]) -> Placement:
    keys = [i.key for i in items]
    sizes = {i.key: (i.w, i.h) for i in items}
    if not links:
        item = items[0]
        return Placement({item.key: (item.w / 2, item.h / 2)}, item.w, item.h, [])
    back = upward_links(keys, links)
    down = [(l.target, l.source) if i in back else (l.source, l.target) for i, l in enumerate(links)]
    rows = _rows(items, [d for d in down if d[0] != d[1]], row_limit, order)
    top = max(rows.values())
    ranks = {k: top - r for k, r in rows.items()}
    # Junctions for links that skip ranks, shared by target, style and rank.
    paths: list[list[str]] = []
    pairs: dict[tuple[str, str], None] = {}
    all_keys = list(keys)
    # A trunk is shared by the links into one target, or, where one source sends more long links
    # than its target receives (a port fanning out), by the links out of that source.
    long_out: dict[str, int] = {}
    long_in: dict[str, int] = {}
    for upper, lower in down:
        if ranks[lower] - ranks[upper] > 1:
            long_out[upper] = long_out.get(upper, 0) + 1
            long_in[lower] = long_in.get(lower, 0) + 1
    for index, (link, (upper, lower)) in enumerate(zip(links, down)):
        path = [upper]
        end = f"from\x00{upper}" if long_out.get(upper, 0) > long_in.get(lower, 0) else f"to\x00{lower}"
        for rank in range(ranks[upper] + 1, ranks[lower]):
            junction = f"\x00{end}\x00{link.style}\x00{rank}\x00{'up' if index in back else ''}"
            if junction not in sizes:
                sizes[junction] = (JUNCTION, 2.0)
                ranks[junction] = rank
                all_keys.append(junction)
            path.append(junction)
        path.append(lower)
        for a, b in zip(path, path[1:]):
            if ranks[a] != ranks[b]:
                pairs[(a, b)] = None
        paths.append(path[::-1] if index in back else path)
    # A link between two items of one rank (only possible for a dropped cycle) is drawn straight.
    centers = _sugiyama(all_keys, sizes, ranks, list(pairs), xspace, yspace=yspace)
    left = min(centers[k][0] - sizes[k][0] / 2 for k in all_keys)
    top_y = min(centers[k][1] - sizes[k][1] / 2 for k in all_keys)
    moved = {k: (round(x - left, 1), round(y - top_y, 1)) for k, (x, y) in centers.items()}
    width = max(moved[k][0] + sizes[k][0] / 2 for k in all_keys)
    height = max(moved[k][1] + sizes[k][1] / 2 for k in all_keys)
    # Each rank's band (from its highest top to its lowest bottom): an arrow crosses a band
    # only vertically, in its own column, and bends only in the gaps between bands, so it never
    # runs through a box.
    bands: dict[int, tuple[float, float]] = {}
    for key in all_keys:
        x, y = moved[key]
        half = sizes[key][1] / 2
        top_edge, bottom_edge = bands.get(ranks[key], (y - half, y + half))
        bands[ranks[key]] = (min(top_edge, y - half), max(bottom_edge, y + half))
    routes = []
    for index, path in enumerate(paths):
        downward = path[::-1] if index in back else path
        points = [moved[downward[0]], (moved[downward[0]][0], bands[ranks[downward[0]]][1])]
        for key in downward[1:-1]:
            points += [(moved[key][0], bands[ranks[key]][0]), (moved[key][0], bands[ranks[key]][1])]
        last = downward[-1]
        points += [(moved[last][0], bands[ranks[last]][0]), moved[last]]
        routes.append(points[::-1] if index in back else points)
    return Placement({k: moved[k] for k in keys}, round(width, 1), round(height, 1), routes)


def layered(items: list[Item], links: list[Link], row_limit: int = 4, xspace: float = 28.0,
            yspace: float = 44.0, *, gap: float = 32.0) -> Placement:
    """Lay out `items` and `links`. Connected parts that hold a top or bottom item (a group's
    ports) stand side by side in one row, so nothing is above a top item or below a bottom one;
    the other parts are packed in shelves to their right, no wider than the widest part or
    `row_limit` boxes, whichever is wider."""
    order = {item.key: i for i, item in enumerate(items)}
    known = set(order)
    placed_items = {i.key for i in items if i.place}
    links = [l for l in links if l.source in known and l.target in known and l.source != l.target]
    parts = _components(items, links, order)
    placed: list[tuple[Placement, list[int]]] = []
    for part in parts:
        members = {i.key for i in part}
        indexes = [i for i, l in enumerate(links) if l.source in members]
        placed.append((_layout_component(part, [links[i] for i in indexes], row_limit, xspace, yspace, order=order), indexes))
    # Connected parts first (in input order), then lone boxes.
    placed.sort(key=lambda p: (not p[1], min(order[k] for k in p[0].centers)))
    anchored = [p for p in placed if placed_items & set(p[0].centers)]
    free = [p for p in placed if not placed_items & set(p[0].centers)]
    widest_box = max((i.w for i in items), default=0.0)
    shelf_width = max([p.width for p, _ in free] + [row_limit * widest_box + (row_limit - 1) * xspace])
    result = Placement(routes=[[] for _ in links])

    def put(part: Placement, indexes: list[int], x: float, y: float) -> None:
        for key, (cx, cy) in part.centers.items():
            result.centers[key] = (round(cx + x, 1), round(cy + y, 1))
        for index, route in zip(indexes, part.routes):
            result.routes[index] = [(round(px + x, 1), round(py + y, 1)) for px, py in route]
        result.width = max(result.width, x + part.width)
        result.height = max(result.height, y + part.height)

    left = 0.0
    for part, indexes in anchored:
        put(part, indexes, left, 0.0)
        left += part.width + gap
    x, y, shelf_height = left, 0.0, 0.0
    for part, indexes in free:
        if x > left and x + part.width > left + shelf_width:
            x, y = left, y + shelf_height + yspace
            shelf_height = 0.0
        put(part, indexes, x, y)
        shelf_height = max(shelf_height, part.height)
        x += part.width + gap
    # A bottom item sits on the drawing's bottom edge: move it down to there (the column below
    # it is empty), so the arrow through it leaves the drawing without crossing anything.
    for item in items:
        if item.place == "bottom":
            cx, _ = result.centers[item.key]
            result.centers[item.key] = (cx, round(result.height - item.h / 2, 1))
    for index, link in enumerate(links):
        for end, key in ((0, link.source), (-1, link.target)):
            if key in placed_items and order.get(key) is not None and result.routes[index]:
                route = result.routes[index]
                if end == 0:
                    route[0] = result.centers[key]
                else:
                    route[-1] = result.centers[key]
    return result
