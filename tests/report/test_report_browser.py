"""The HTML report in a real headless Chromium: renders without console errors and without any
network request, hover links the two sides. Saves artifacts/report.png (the bundled stack)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from converter.report import render_html
from tests.report.test_report import ROOT, report_for

BROWSER = ROOT / "tests" / "browser"


def test_stack_report_in_a_real_browser(tmp_path: Path) -> None:
    assert Path("/usr/bin/chromium").exists(), "chromium is missing: run scripts/install-system-deps.sh browser"
    assert (BROWSER / "node_modules" / "playwright-core").exists(), "run `make browser-deps` (npm ci in tests/browser)"
    page = tmp_path / "report.html"
    page.write_text(render_html(report_for(ROOT / "compose" / "compose.yaml")), encoding="utf-8")
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    result = subprocess.run(["node", str(BROWSER / "report_page.mjs"), str(page), str(artifacts / "report.png")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "highlighted" in result.stdout
    assert (artifacts / "report.png").stat().st_size > 10_000
