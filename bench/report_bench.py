"""Benchmark: how long `kubemap report` takes to build and render, for the bundled stack and for a
large project (60 generated services, and the corpus' largest file).

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


def measure(compose: Path) -> dict[str, float]:
    options = LoadOptions(files=[str(compose)], cwd=str(compose.parent))
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
        "markdown": median_time(lambda: render_markdown(report)),
        "html": median_time(lambda: render_html(report)),
        "terminal": median_time(terminal),
    }


def main() -> int:
    cases: list[tuple[str, Path]] = [("compose/ (the stack)", REPO / "compose" / "compose.yaml")]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "compose.yaml"
        big.write_text(generated_compose(60))
        cases.append(("generated, 60 services", big))
        for name, _ in largest_corpus_files(1):
            cases.append((f"corpus: {name}", CORPUS / name))
        print(f"{'project':<48} {'svc':>4} {'peer':>7} {'build':>7} {'md':>7} {'html':>7} {'term':>7} {'worst total':>12}")
        missed = []
        for label, path in cases:
            m = measure(path)
            total = m["build"] + max(m["markdown"], m["html"], m["terminal"])
            if total > GOAL_SECONDS:
                missed.append(label)
            print(f"{label[:48]:<48} {int(m['services']):>4} {m['load+translate (peer)']:7.3f} {m['build']:7.3f} "
                  f"{m['markdown']:7.3f} {m['html']:7.3f} {m['terminal']:7.3f} {total:10.3f} s")
    print(f"goal: a report (build + render) under {GOAL_SECONDS:.0f} s — "
          + ("met for every project" if not missed else f"NOT met for: {', '.join(missed)}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
