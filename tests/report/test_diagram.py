"""The report's picture: graph extraction (what is drawn), the layered layout (where), and the
SVG / Mermaid output (how), on small named cases and on generated projects of 1 to 60 services."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from converter.load import LoadOptions, load_project, resolved_config
from converter.report import build_report, render_svg
from converter.report.diagram import Graph, extract_graph, layout_graph, render_mermaid
from converter.report.diagram.layered import Item, Link, layered
from converter.report.diagram.layout import Layout
from converter.report.diagram.metrics import BOX_WIDTH, fit, wrap
from converter.translate import TranslateOptions, translate
from tests.report.test_report import ROOT

SVG = "{http://www.w3.org/2000/svg}"


def graph_of(tmp_path: Path, compose: str, network_policies: bool = False) -> Graph:
    (tmp_path / "compose.yaml").write_text(textwrap.dedent(compose))
    project = load_project(LoadOptions(files=[str(tmp_path / "compose.yaml")], cwd=str(tmp_path), environ={}))
    return extract_graph(project, translate(project, TranslateOptions(network_policies=network_policies)))


def edges_of(graph: Graph) -> set[tuple[str, str, str, str, str]]:
    return {(e.source, e.target, e.kind, e.label, e.k8s_label) for e in graph.edges}


# --- what is drawn -----------------------------------------------------------------------------

EXTRACTION_CASES = {
    "depends_on conditions": (
        """
        services:
          web: {image: web:1, depends_on: {api: {condition: service_started}}}
          api:
            image: api:1
            ports: ["8000:8000"]
            depends_on:
              db: {condition: service_healthy}
              migrate: {condition: service_completed_successfully}
              cache: {condition: service_started, required: false}
          db: {image: postgres:16, expose: ["5432"], healthcheck: {test: ["CMD", "pg_isready"]}}
          cache: {image: redis:7, expose: ["6379"]}
          migrate: {image: api:1, restart: "no"}
        """,
        {("web", "api", "depends_on", "started", "init wait"),
         ("api", "db", "depends_on", "healthy", "init wait"),
         ("api", "migrate", "depends_on", "completed", "Job wait"),
         ("api", "cache", "depends_on", "started, optional", "no wait")},
    ),
    "links and network_mode: service": (
        """
        services:
          app: {image: app:1, expose: ["80"], links: ["db:database"]}
          db: {image: postgres:16, expose: ["5432"]}
          proxy: {image: envoy:1, network_mode: "service:app"}
        """,
        # Compose makes links and network_mode: service:X dependencies too (depends_on X,
        # service_started), so each arrow is a dependency that also links / shares the network.
        {("app", "db", "depends_on", "started + link database", "init wait"),
         ("proxy", "app", "depends_on", "started + shares network", "no wait")},
    ),
    "a dependency disabled by a profile is not drawn": (
        """
        services:
          app: {image: app:1, depends_on: {debug: {condition: service_started, required: false}}}
          debug: {image: busybox:1, profiles: [debug]}
        """,
        set(),
    ),
}


@pytest.mark.parametrize("case", list(EXTRACTION_CASES))
def test_arrows(case: str, tmp_path: Path) -> None:
    compose, expected = EXTRACTION_CASES[case]
    assert edges_of(graph_of(tmp_path, compose)) == expected


def test_sidecar_joins_its_hosts_group_and_box_says_so(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, EXTRACTION_CASES["links and network_mode: service"][0])
    assert graph.node("proxy").group == graph.node("app").group
    assert graph.node("proxy").kubernetes.title == "sidecar in Deployment/app"


NETWORKS = """
services:
  web: {image: web:1, networks: [front], ports: ["8080:80"]}
  api: {image: api:1, networks: [front, back], expose: ["8000"]}
  db: {image: postgres:16, networks: [back], expose: ["5432"]}
  solo: {image: solo:1}
networks: {front: {}, back: {}}
"""


@pytest.mark.parametrize("policies, expected", [
    (False, {"network: front": "front: no NetworkPolicy",
             "networks: back + front": "back + front: no NetworkPolicy",
             "network: back": "back: no NetworkPolicy",
             "network: default": "default: no NetworkPolicy"}),
    (True, {"network: front": "NetworkPolicy compose-net-front",  # the project is named after its directory
            "networks: back + front": "NetworkPolicies compose-net-back, compose-net-front",
            "network: back": "NetworkPolicy compose-net-back",
            "network: default": "NetworkPolicy compose-net-default"}),
], ids=["flat", "network-policies"])
def test_groups_are_network_sets(policies: bool, expected: dict[str, str], tmp_path: Path) -> None:
    project_dir = tmp_path / "compose"
    project_dir.mkdir()
    graph = graph_of(project_dir, NETWORKS, network_policies=policies)
    assert {g.label: g.k8s_label for g in graph.groups} == expected
    assert [graph.node(s).group for s in ("api", "db", "solo", "web")] == ["net:back,front", "net:back", "net:default", "net:front"]


def test_each_side_shows_what_the_service_is_and_became(tmp_path: Path) -> None:
    (tmp_path / "pw.txt").write_text("secret\n")
    graph = graph_of(tmp_path, """
        x-kubemap: {node_ports: fixed}  # nodePorts are the API server's otherwise: no host port → nodePort tab
        services:
          db:
            image: postgres:16
            expose: ["5432"]
            volumes: [data:/var/lib/postgresql/data]
            secrets: [pw]
            configs: [conf]
          agent: {image: agent:1, deploy: {mode: global}}
          web: {build: ./web, ports: ["8080:80"], deploy: {replicas: 3}}
        volumes: {data: {}}
        secrets: {pw: {file: ./pw.txt}}
        configs: {conf: {content: "x=1"}}
        """)
    db, agent, web = graph.node("db"), graph.node("agent"), graph.node("web")
    assert [(a.kind, a.name) for a in db.compose.attachments] == [("volume", "data"), ("secret", "pw"), ("config", "conf")]
    assert db.kubernetes.title == "StatefulSet db"
    kinds = {(a.kind, a.name) for a in db.kubernetes.attachments}
    assert ("pvc", "data") in kinds and ("k8s-secret", "pw") in kinds and ("configmap", "conf") in kinds
    assert agent.compose.lines[-1] == "global: one per node" and agent.kubernetes.title == "DaemonSet agent"
    assert web.compose.lines == ("build ./web", "replicas 3")
    assert web.compose.ports == ("8080:80",)
    assert web.kubernetes.lines[0].startswith("Service web NodePort :80")
    assert web.kubernetes.ports[0].startswith("8080→3")  # host port → nodePort


# --- where it goes -----------------------------------------------------------------------------

def boxes(n: int, h: float = 60.0) -> list[Item]:
    return [Item(f"s{i}", BOX_WIDTH, h + (i % 3) * 17) for i in range(n)]


LAYERED_CASES = {
    "one box": (boxes(1), []),
    "chain of 12": (boxes(12), [Link(f"s{i}", f"s{i - 1}") for i in range(1, 12)]),
    "star: 20 use one": (boxes(21), [Link(f"s{i}", "s0") for i in range(1, 21)]),
    "workers on two databases": (boxes(24), [Link(f"s{i}", f"s{j}", "d") for i in range(2, 24) for j in (0, 1)]),
    "cycle of links": (boxes(3), [Link("s0", "s1"), Link("s1", "s2"), Link("s2", "s0")]),
    "loose boxes": (boxes(9), []),
    "diamond": (boxes(4), [Link("s0", "s1"), Link("s0", "s2"), Link("s1", "s3"), Link("s2", "s3")]),
}


def overlapping(rects: list[tuple[str, float, float, float, float]], gap: float = 0.0) -> list[tuple[str, str]]:
    out = []
    for i, (a, ax, ay, aw, ah) in enumerate(rects):
        for b, bx, by, bw, bh in rects[i + 1:]:
            if ax < bx + bw + gap and bx < ax + aw + gap and ay < by + bh + gap and by < ay + ah + gap:
                out.append((a, b))
    return out


@pytest.mark.parametrize("case", list(LAYERED_CASES))
def test_layered_layout(case: str) -> None:
    items, links = LAYERED_CASES[case]
    placement = layered(items, links, row_limit=4)
    assert set(placement.centers) == {i.key for i in items}
    rects = [(i.key, placement.centers[i.key][0] - i.w / 2, placement.centers[i.key][1] - i.h / 2, i.w, i.h) for i in items]
    assert not overlapping(rects, gap=10.0), "boxes closer than 10 px"
    assert all(0 <= x and x + w <= placement.width + 0.1 and 0 <= y and y + h <= placement.height + 0.1
               for _, x, y, w, h in rects)
    rows: dict[float, int] = {}
    for key, (_, y) in placement.centers.items():
        rows[y] = rows.get(y, 0) + 1
    assert max(rows.values()) <= 4, f"a row holds {max(rows.values())} boxes"
    upward = 0
    for link, route in zip(links, placement.routes):
        assert route[0] == placement.centers[link.source] and route[-1] == placement.centers[link.target]
        upward += placement.centers[link.source][1] > placement.centers[link.target][1]
    assert upward == (1 if case == "cycle of links" else 0), "only the link closing a cycle may point up"
    assert placement == layered(items, links, row_limit=4)


# --- the whole picture: generated projects of 1 to 60 services ------------------------------------

def generated(shape: str, count: int) -> str:
    lines = ["services:"]
    for i in range(count):
        name = f"svc{i:02d}"
        lines += [f"  {name}:", f"    image: example/{name}:1", '    expose: ["8080"]']
        if shape == "networks":
            lines.append(f"    networks: [{['front', 'back', 'front, back'][i % 3]}]")
        deps = {"chain": [i - 1] if i else [], "star": [0] if i else [],
                "layers": [j for j in range(max(0, i - 3), i) if j % 4 == 0], "networks": [i - 2] if i >= 2 else [],
                "loose": []}[shape]
        if deps:
            lines.append("    depends_on:")
            lines += [f"      svc{j:02d}: {{condition: service_started}}" for j in deps]
        if i % 5 == 0:
            lines += ["    volumes:", f"      - data{i}:/data"]
    lines.append("volumes:")
    lines += [f"  data{i}: {{}}" for i in range(0, count, 5)]
    if shape == "networks":
        lines += ["networks:", "  front: {}", "  back: {}"]
    return "\n".join(lines) + "\n"


def _cubic(p0, p1, p2, p3, t):  # type: ignore[no-untyped-def]
    return tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c + t ** 3 * d
                 for a, b, c, d in zip(p0, p1, p2, p3))


def curve_points(points: tuple[tuple[float, float], ...]) -> list[tuple[float, float]]:
    """Samples of the drawn path (the same cubic segments svg._path draws)."""
    out = []
    for (px, py), (x, y) in zip(points, points[1:]):
        dy = (y - py) / 2
        out += [_cubic((px, py), (px, py + dy), (x, y - dy), (x, y), t / 16) for t in range(17)]
    return out


def check_geometry(graph: Graph, layout: Layout) -> None:
    rects = [(b.service, b.x, b.y, b.w, b.h) for b in layout.boxes.values()]
    assert not overlapping(rects), "boxes overlap"
    frames = {f.group: f for f in layout.frames}
    assert not overlapping([(f.group, f.x, f.y, f.w, f.h) for f in layout.frames]), "group frames overlap"
    for node in graph.nodes:
        box, frame = layout.boxes[node.service], frames[node.group]
        assert frame.x <= box.x and box.x + box.w <= frame.x + frame.w and frame.y <= box.y and box.y + box.h <= frame.y + frame.h, \
            f"{node.service} sticks out of its group"
        assert box.x + box.w <= layout.panel_width and box.y + box.h <= layout.panel_height
    for route in layout.routes:
        edge = graph.edges[route.edge]
        ends = {edge.source, edge.target}
        for x, y in curve_points(route.points):
            inside = [b.service for b in layout.boxes.values() if b.service not in ends
                      and b.x + 1 < x < b.x + b.w - 1 and b.y + 1 < y < b.y + b.h - 1]
            assert not inside, f"arrow {edge.source} → {edge.target} runs through {inside}"
        source, target = layout.boxes[edge.source], layout.boxes[edge.target]
        (sx, sy), (tx, ty) = route.points[0], route.points[-1]
        assert source.x <= sx <= source.x + source.w and sy in (source.y, source.y + source.h)
        assert target.x <= tx <= target.x + target.w and ty in (target.y, target.y + target.h)


@pytest.mark.parametrize("shape, count", [("loose", 1), ("chain", 2), ("layers", 10), ("networks", 12), ("star", 25),
                                          ("chain", 60), ("star", 60), ("loose", 60), ("layers", 60), ("networks", 60)])
def test_generated_projects_lay_out_cleanly(shape: str, count: int, tmp_path: Path) -> None:
    graph = graph_of(tmp_path, generated(shape, count))
    assert len(graph.nodes) == count
    layout = layout_graph(graph)
    check_geometry(graph, layout)
    # Readable: no row of 60 boxes; a panel stays within a few boxes' width. Arrows that all
    # cross between networks (every service's dependency on another network) spread wider:
    # known, and bounded here so it cannot get worse unnoticed.
    widest = 20 if shape == "networks" else 8
    assert layout.panel_width <= widest * BOX_WIDTH, f"panel {layout.panel_width} px wide"


def test_the_stack_lays_out_cleanly() -> None:
    compose = ROOT / "compose" / "compose.yaml"
    project = load_project(LoadOptions(files=[str(compose)], cwd=str(compose.parent)))
    graph = extract_graph(project, translate(project, TranslateOptions()))
    layout = layout_graph(graph)
    check_geometry(graph, layout)
    # front → front+back → back: each group's frame sits below the one that depends on it
    frames = {f.group: f for f in layout.frames}
    assert frames["net:front"].y < frames["net:back,front"].y < frames["net:back"].y


# --- how it is drawn ----------------------------------------------------------------------------

def test_svg_is_well_formed_and_has_each_service_once_per_panel(tmp_path: Path) -> None:
    compose = ROOT / "compose" / "compose.yaml"
    project = load_project(LoadOptions(files=[str(compose)], cwd=str(compose.parent)))
    report = build_report(project, translate(project, TranslateOptions()), resolved_config(project).get("services", {}))
    root = ET.fromstring(render_svg(report).split("\n", 1)[1])
    panels = [g for g in root.iter(f"{SVG}g") if "km-panel" in g.get("class", "")]
    assert len(panels) == 2
    for panel in panels:
        names = [g.get("data-service") for g in panel.iter(f"{SVG}g") if g.get("class") == "km-node"]
        assert sorted(names) == sorted(project.services)
    arrows = [g for g in root.iter(f"{SVG}g") if g.get("class") == "km-arrow"]
    assert len(arrows) == 2 * len(report.graph.edges)  # type: ignore[union-attr]


@pytest.mark.parametrize("text, room, expected", [
    ("short", 100, "short"),
    ("a-very-long-image-name:1.2.3", 100, "a-very-long-i…"),
])
def test_fit_cuts_with_an_ellipsis(text: str, room: float, expected: str) -> None:
    assert fit(text, room, 11) == expected


def test_wrap_breaks_at_spaces_and_stops_after_three_lines() -> None:
    assert wrap("init wait-for-migrate, wait-for-postgres, wait-for-redis", 220, 11) == \
        ["init wait-for-migrate,", "  wait-for-postgres,", "  wait-for-redis"]
    long = wrap(" ".join(["word"] * 60), 220, 11)
    assert len(long) == 3 and long[-1].endswith("…")


def test_mermaid_escapes_names_and_uses_positional_ids(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, """
        services:
          "web.v2": {image: "web:1", depends_on: {"api_x": {condition: service_started}}}
          "api_x": {image: "api:1", expose: ["80"], environment: {A: "1"}}
        """)
    text = render_mermaid(graph)
    assert text.startswith("flowchart LR\n")
    assert 'cs1["<b>web.v2</b>' in text and "cs1 -->|\"started\"| cs0" in text
    assert "ks1 -->|\"init wait\"| ks0" in text
    assert text.count("subgraph") == 4  # two panels, one group each


def test_picture_is_the_same_bytes_whatever_the_hash_seed() -> None:
    """grandalf is fed in a fixed order; nothing depends on set or dict-of-object order."""
    script = ("import hashlib,sys; from tests.report.test_report import report_for, ROOT; "
              "from converter.report import render_svg; "
              "sys.stdout.write(hashlib.sha256(render_svg(report_for(ROOT/'compose'/'compose.yaml')).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1, digests


def test_cli_writes_the_picture_alone(tmp_path: Path) -> None:
    out = tmp_path / "mapping.svg"
    result = subprocess.run([sys.executable, "-m", "converter", "report", "-f", "compose/compose.yaml", "--format", "svg",
                             "-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')
    assert text.count('class="km-node"') == 2 * 8 and "<script" not in text and "href=" not in text
    assert hashlib.sha256(text.encode()).hexdigest() == hashlib.sha256(
        subprocess.run([sys.executable, "-m", "converter", "report", "-f", "compose/compose.yaml", "--format", "svg"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120).stdout.encode()).hexdigest()
