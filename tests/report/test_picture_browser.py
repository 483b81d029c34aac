"""The report's picture in a real headless Chromium (Debian's, through playwright-core), for the
bundled stack and for the largest project of ../shared/corpus/realworld: every service once in
each panel, no overlapping boxes, no text outside its box (measured by the browser), hover and
click work, no console error, no network request. The Markdown report's Mermaid flowchart is
rendered by the Mermaid library from npm (tests/browser/node_modules, a local file).

Screenshots go to artifacts/ (not committed, like the other browser tests' screenshots):
picture-<name>.png (the top of the page) and picture-<name>-full.png (the picture at its size),
mermaid-<name>.png."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from converter.load import load_project, resolved_config
from converter.report import ProjectReport, build_report, render_html, render_markdown
from converter.translate import TranslateOptions, translate
from tests.report.realworld import largest_setup, load_options
from tests.report.test_report import ROOT, report_for

BROWSER = ROOT / "tests" / "browser"
ARTIFACTS = ROOT / "artifacts"


def require_browser() -> None:
    assert Path("/usr/bin/chromium").exists(), "chromium is missing: run scripts/install-system-deps.sh browser"
    assert (BROWSER / "node_modules" / "playwright-core").exists(), "run `make browser-deps` (npm ci in tests/browser)"
    assert (BROWSER / "node_modules" / "mermaid" / "dist" / "mermaid.min.js").exists(), "run `make browser-deps`"


def stack_report() -> ProjectReport:
    return report_for(ROOT / "compose" / "compose.yaml")


def realworld_report(scratch: Path) -> ProjectReport:
    entry = largest_setup()
    project = load_project(load_options(entry, scratch))
    return build_report(project, translate(project, TranslateOptions()), resolved_config(project).get("services", {}))


def reports(scratch: Path) -> dict[str, ProjectReport]:
    return {"stack": stack_report(), "realworld": realworld_report(scratch)}


def run_node(*args: str) -> str:
    result = subprocess.run(["node", *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("name", ["stack", "realworld"])
def test_picture_in_a_real_browser(name: str, tmp_path: Path) -> None:
    require_browser()
    report = stack_report() if name == "stack" else realworld_report(tmp_path / "project")
    services = [s.name for s in report.services]
    assert len(services) >= (8 if name == "stack" else 30)
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    (tmp_path / "services.json").write_text(json.dumps(services))
    ARTIFACTS.mkdir(exist_ok=True)
    shots = ARTIFACTS / f"picture-{name}.png", ARTIFACTS / f"picture-{name}-full.png"
    for shot in shots:
        shot.unlink(missing_ok=True)
    out = run_node(str(BROWSER / "diagram_page.mjs"), str(page), str(tmp_path / "services.json"), *map(str, shots))
    assert f"{len(services)} services in each panel" in out
    assert "highlighted its counterpart" in out and "scrolled to #svc-" in out and "picture ok" in out
    assert all(shot.stat().st_size > 20_000 for shot in shots)


@pytest.mark.parametrize("name", ["stack", "realworld"])
def test_markdown_mermaid_renders_with_the_mermaid_library(name: str, tmp_path: Path) -> None:
    require_browser()
    report = stack_report() if name == "stack" else realworld_report(tmp_path / "project")
    markdown = render_markdown(report)
    match = re.search(r"```mermaid\n(.*?)```", markdown, re.S)
    assert match, "the Markdown report has no Mermaid block"
    (tmp_path / "flowchart.mmd").write_text(match.group(1))
    (tmp_path / "services.json").write_text(json.dumps([s.name for s in report.services]))
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"mermaid-{name}.png"
    shot.unlink(missing_ok=True)
    out = run_node(str(BROWSER / "mermaid_page.mjs"), str(tmp_path / "flowchart.mmd"), str(tmp_path / "services.json"),
                   str(tmp_path), str(shot))
    assert f"mermaid drew {2 * len(report.services)} nodes" in out and "mermaid ok" in out
    assert shot.stat().st_size > 10_000
