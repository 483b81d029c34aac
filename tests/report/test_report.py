"""Mapping reports: golden Markdown and terminal output for the golden fixtures, and coverage:
every Compose key of every service has a row that says what became of it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from converter.load import LoadOptions, load_project, resolved_config
from converter.report import ProjectReport, build_report, render_html, render_markdown, render_svg, render_terminal
from converter.translate import TranslateOptions, translate

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
EXPECTED = Path(__file__).parent / "expected"
# Fixtures that must fail to convert (expected/error.yaml) have no report.
FIXTURES = sorted(p.parent.name for p in GOLDEN.glob("*/compose.yaml") if not (p.parent / "expected" / "error.yaml").exists())


def _load_options(compose: Path) -> LoadOptions:
    """As the golden test loads the fixture: its options.yaml env files and profiles."""
    import yaml

    path = compose.parent / "options.yaml"
    opts = (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}
    return LoadOptions(files=[str(compose)], cwd=str(compose.parent), profiles=list(opts.get("profiles", [])),
                       env_files=[str(compose.parent / f) for f in opts.get("env_files", [])])


def report_for(compose: Path) -> ProjectReport:
    project = load_project(_load_options(compose))
    bundle = translate(project, TranslateOptions())
    return build_report(project, bundle, resolved_config(project).get("services", {}))


def terminal_text(report: ProjectReport) -> str:
    buffer = io.StringIO()
    render_terminal(report, Console(file=buffer, width=120, color_system=None, force_terminal=False))
    return buffer.getvalue()


def compare(actual: str, path: Path, update: bool) -> None:
    # A report must read the same on every machine: no path of this checkout in it.
    assert str(ROOT) not in actual, f"{path.name}: the report shows a path of this machine"
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"{path.name} did not exist; wrote it now, review and commit it")
        return
    assert actual == path.read_text(encoding="utf-8"), f"{path} differs; run pytest --update-golden and review"


@pytest.mark.parametrize("fixture", FIXTURES)
def test_markdown_report_matches_golden(fixture: str, update_golden: bool) -> None:
    compare(render_markdown(report_for(GOLDEN / fixture / "compose.yaml")), EXPECTED / f"{fixture}.md", update_golden)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_picture_matches_golden(fixture: str, update_golden: bool) -> None:
    """`report --format svg`: the picture alone, byte for byte (layout included)."""
    compare(render_svg(report_for(GOLDEN / fixture / "compose.yaml")), EXPECTED / f"{fixture}.svg", update_golden)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_terminal_report_matches_golden(fixture: str, update_golden: bool) -> None:
    compare(terminal_text(report_for(GOLDEN / fixture / "compose.yaml")), EXPECTED / f"{fixture}.txt", update_golden)


@pytest.mark.parametrize("compose", [*(GOLDEN / f / "compose.yaml" for f in FIXTURES), ROOT / "compose" / "compose.yaml"],
                         ids=[*FIXTURES, "stack"])
def test_every_compose_key_has_a_row(compose: Path) -> None:
    project = load_project(_load_options(compose))
    report = report_for(compose)
    for service in report.services:
        keys = [row.key for row in service.rows]
        assert keys == list(project.services[service.name].keys), service.name
        untraced = [row.key for row in service.rows if row.status == "untraced"]
        assert not untraced, f"{service.name}: keys with no trace entry: {untraced}"
        for row in service.rows:
            assert row.compose_lines[1] > row.compose_lines[0], f"{service.name}.{row.key} has no Compose lines"


def test_report_output_is_deterministic() -> None:
    compose = ROOT / "compose" / "compose.yaml"
    assert render_html(report_for(compose)) == render_html(report_for(compose))
    assert render_markdown(report_for(compose)) == render_markdown(report_for(compose))
    assert render_svg(report_for(compose)) == render_svg(report_for(compose))


def test_report_targets_point_at_real_lines() -> None:
    """Every target of a row that names an object of the same service resolves to a line."""
    report = report_for(ROOT / "compose" / "compose.yaml")
    missing = [
        (service.name, row.key, target.ref)
        for service in report.services for row in service.rows for target in row.targets
        if target.object_index is not None and target.line is None
    ]
    assert not missing


def test_html_is_self_contained() -> None:
    """Nothing that would make a browser fetch: no external scripts, styles, images or fonts."""
    import re

    html = render_html(report_for(ROOT / "compose" / "compose.yaml"))
    assert not re.search(r"<(link|img|iframe)\b", html)
    assert not re.search(r"\b(src|href)=\"?(https?:)?//", html)
    # url(#id) names an element of the page itself (the picture's arrow heads); any other url() fetches.
    assert "@import" not in html and not re.search(r"url\((?!#)", html)
    assert "url(#km-arrow)" in html


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_diff_of_two_projects_renders_side_by_side(tmp_path: Path, fmt: str) -> None:
    """`kubemap diff OLD NEW -o markdown|html`: the project-vs-project diff in the report's layout."""
    import shutil
    import subprocess
    import sys

    old, new = tmp_path / "old" / "shop", tmp_path / "new" / "shop"  # same project name
    shutil.copytree(GOLDEN / "ports-services", old)
    shutil.copytree(GOLDEN / "ports-services", new)
    (new / "compose.yaml").write_text((old / "compose.yaml").read_text().replace("image: redis:7.4", "image: redis:7.6"))
    result = subprocess.run([sys.executable, "-m", "converter", "diff", str(old), str(new), "-o", fmt],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # differences, like kubectl diff
    assert "1 changed, 0 removed, 15 same" in result.stderr
    if fmt == "markdown":
        assert "## changed: `Deployment/cache`" in result.stdout
        assert "| ➖ `      - image: redis:7.4` | ➕ `      - image: redis:7.6` |" in result.stdout
    else:
        assert "<td class=l>      - image: redis:7.4</td><td class=r>      - image: redis:7.6</td>" in result.stdout
