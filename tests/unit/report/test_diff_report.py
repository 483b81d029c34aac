"""Diff reports: a unified diff laid out side by side, in Markdown and HTML."""

import pytest

from converter.report.diff_report import DiffEntry, render_diff_html, render_diff_markdown, side_by_side

UNIFIED = """--- live
+++ generated
@@ -1,4 +1,4 @@
 kind: Deployment
 spec:
-  replicas: 1
+  replicas: 3
   paused: false
-  old: gone
+  new: here
+  extra: line
"""


def test_changed_lines_face_each_other() -> None:
    rows = side_by_side(UNIFIED)
    assert [(r.kind, r.left, r.right) for r in rows] == [
        ("hunk", "@@ -1,4 +1,4 @@", "@@ -1,4 +1,4 @@"),
        ("same", "kind: Deployment", "kind: Deployment"),
        ("same", "spec:", "spec:"),
        ("changed", "  replicas: 1", "  replicas: 3"),
        ("same", "  paused: false", "  paused: false"),
        ("changed", "  old: gone", "  new: here"),
        ("added", None, "  extra: line"),
    ]


@pytest.mark.parametrize(
    ("unified", "kinds"),
    [("+a: 1\n+b: 2\n", ["added", "added"]), ("-a: 1\n", ["removed"]), ("", [])],
    ids=["only-added", "only-removed", "empty"],
)
def test_one_sided_diffs(unified: str, kinds: list[str]) -> None:
    assert [r.kind for r in side_by_side(unified)] == kinds


def test_markdown_and_html_show_changed_objects_and_list_unchanged_ones() -> None:
    entries = [DiffEntry("Deployment/api", "changed", UNIFIED), DiffEntry("Service/api", "same", "")]
    markdown = render_diff_markdown(entries, "live", "generated")
    assert "## changed: `Deployment/api`" in markdown
    assert "| ➖ `  replicas: 1` | ➕ `  replicas: 3` |" in markdown
    assert "## unchanged" in markdown and "`Service/api`" in markdown
    html = render_diff_html(entries, "live", "generated")
    assert '<tr class="changed"><td class=l>  replicas: 1</td><td class=r>  replicas: 3</td></tr>' in html
    assert "unchanged: Service/api" in html
    assert "http" not in html.lower().replace("http-equiv", "")
