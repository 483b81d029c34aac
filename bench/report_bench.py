"""Benchmark: how long `kubemap report` takes to build and render, for the bundled stack and for a
large project (60 generated services, the corpus' largest file, and the largest realworld setup).
The HTML report includes the picture (graph, grandalf layout, SVG); its share is printed on its
own ("picture"), as is the Mermaid flowchart the Markdown report embeds.

Measured in-process (median of several runs) so start-up does not hide the report's own cost,
next to a peer measured in the same run: `convert`'s load + translate of the same project. The
goal is under one second per report. Run: make bench-report
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rich.console import Console  # noqa: E402

from bench.convert_bench import CORPUS, generated_compose, largest_corpus_files  # noqa: E402
from converter.load import LoadOptions, load_project, resolved_config  # noqa: E402
from converter.report import build_report, render_html, render_markdown, render_terminal  # noqa: E402
from converter.report.diagram import diagram_svg, extract_graph, render_mermaid  # noqa: E402
from tests.report.realworld import largest_setup, load_options  # noqa: E402
from converter.translate import TranslateOptions, translate  # noqa: E402

RUNS = 5
GOAL_SECONDS = 1.0


def median_time(action, runs: int = RUNS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(options: LoadOptions) -> dict[str, float]:
    project = load_project(options)
    bundle = translate(project, TranslateOptions())
    blocks = resolved_config(project).get("services", {})
    report = build_report(project, bundle, blocks)

    def terminal() -> None:
        render_terminal(report, Console(file=io.StringIO(), width=140, color_system=None))

    return {
        "services": len(project.services),
        "load+translate (peer)": median_time(lambda: translate(load_project(options), TranslateOptions())),
        "build": median_time(lambda: build_report(project, bundle, blocks)),
        "picture": median_time(lambda: diagram_svg(extract_graph(project, bundle))),
        "mermaid": median_time(lambda: render_mermaid(extract_graph(project, bundle))),
        "markdown": median_time(lambda: render_markdown(report)),
        "html": median_time(lambda: render_html(report)),
        "terminal": median_time(terminal),
    }


def main() -> int:
    def file_case(path: Path) -> LoadOptions:
        return LoadOptions(files=[str(path)], cwd=str(path.parent))

    cases: list[tuple[str, LoadOptions]] = [("compose/ (the stack)", file_case(REPO / "compose" / "compose.yaml"))]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "compose.yaml"
        big.write_text(generated_compose(60))
        cases.append(("generated, 60 services", file_case(big)))
        for name, _ in largest_corpus_files(1):
            cases.append((f"corpus: {name}", file_case(CORPUS / name)))
        setup = largest_setup()
        cases.append((f"realworld: {setup['folder']} {setup['setup']}", load_options(setup, Path(tmp) / "realworld")))
        print(f"{'project':<48} {'svc':>4} {'peer':>7} {'build':>7} {'picture':>7} {'mermaid':>7} {'md':>7} "
              f"{'html':>7} {'term':>7} {'html total':>11} {'worst total':>12}")
        missed = []
        for label, options in cases:
            m = measure(options)
            total = m["build"] + max(m["markdown"], m["html"], m["terminal"])
            html_total = m["build"] + m["html"]  # the picture and the report around it
            if html_total > GOAL_SECONDS:
                missed.append(label)
            print(f"{label[:48]:<48} {int(m['services']):>4} {m['load+translate (peer)']:7.3f} {m['build']:7.3f} "
                  f"{m['picture']:7.3f} {m['mermaid']:7.3f} {m['markdown']:7.3f} {m['html']:7.3f} {m['terminal']:7.3f} "
                  f"{html_total:9.3f} s {total:10.3f} s")
    print("html includes the picture; build includes extracting its graph; worst total = build + the slowest "
          "format (the terminal's rich tables)")
    print(f"goal: picture + report (build + html) under {GOAL_SECONDS:.0f} s — "
          + ("met for every project" if not missed else f"NOT met for: {', '.join(missed)}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
