"""`kubemap diff` rendered like the mapping report: per object, the old side next to the new side
(Markdown for a PR, a self-contained HTML page). Works from unified diffs, so the same renderer
serves generated-vs-live and project-vs-project diffs."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from converter.report.html import CSS


@dataclass(frozen=True)
class DiffEntry:
    ref: str  # "Deployment/api" (namespace-qualified when it helps)
    change: str  # added | removed | changed | same
    diff: str  # unified diff text ("" when same)


@dataclass(frozen=True)
class SideBySideLine:
    left: str | None  # None: no line on this side
    right: str | None
    kind: str  # same | removed | added | changed | hunk


def side_by_side(unified: str) -> list[SideBySideLine]:
    """Pair a unified diff's lines into two columns: runs of '-' lines face the '+' lines that
    follow them (a change), context lines face themselves."""
    out: list[SideBySideLine] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        for i in range(max(len(removed), len(added))):
            left = removed[i] if i < len(removed) else None
            right = added[i] if i < len(added) else None
            kind = "changed" if left is not None and right is not None else ("removed" if right is None else "added")
            out.append(SideBySideLine(left, right, kind))
        removed.clear()
        added.clear()

    for line in unified.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            flush()
            out.append(SideBySideLine(line, line, "hunk"))
        elif line.startswith("-"):
            if added:
                flush()
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
        else:
            flush()
            text = line[1:] if line.startswith(" ") else line
            out.append(SideBySideLine(text, text, "same"))
    flush()
    return out


def _counts(entries: list[DiffEntry]) -> str:
    counts = {c: sum(1 for e in entries if e.change == c) for c in ("added", "removed", "changed", "same")}
    return ", ".join(f"{n} {c}" for c, n in counts.items() if n)


def _md_cell(text: str | None, mark: str) -> str:
    if text is None:
        return ""
    escaped = text.replace("|", "\\|")
    return f"{mark}`{escaped}`"


def render_diff_markdown(entries: list[DiffEntry], left: str, right: str) -> str:
    out = [f"# kubemap diff: {left} → {right}", "", f"{len(entries)} objects: {_counts(entries) or 'none'}", ""]
    for entry in entries:
        if entry.change == "same":
            continue
        out += [f"## {entry.change}: `{entry.ref}`", "", f"| {left} | {right} |", "|---|---|"]
        for row in side_by_side(entry.diff):
            if row.kind == "hunk":
                out.append(f"| *{row.left}* | |")
                continue
            mark_left = "➖ " if row.kind in ("removed", "changed") else ""
            mark_right = "➕ " if row.kind in ("added", "changed") else ""
            out.append(f"| {_md_cell(row.left, mark_left)} | {_md_cell(row.right, mark_right)} |")
        out.append("")
    unchanged = [e.ref for e in entries if e.change == "same"]
    if unchanged:
        out += ["## unchanged", "", ", ".join(f"`{r}`" for r in unchanged), ""]
    return "\n".join(out).rstrip() + "\n"


DIFF_CSS = """
.dt{width:100%;table-layout:fixed;font:12.5px/1.4 ui-monospace,monospace}.dt td{white-space:pre-wrap;word-break:break-all;border:0;padding:0 6px}
.dt .removed .l,.dt .changed .l{background:rgba(248,81,73,.18)}.dt .added .r,.dt .changed .r{background:rgba(63,185,80,.18)}
.dt .hunk td{color:var(--muted);font-style:italic}.badge{font-size:12px;padding:1px 6px;border-radius:10px;border:1px solid var(--line)}
"""


def render_diff_html(entries: list[DiffEntry], left: str, right: str) -> str:
    nav = "".join(
        f'<a href="#o{i}">{escape(e.ref)} <span class=badge>{escape(e.change)}</span></a>'
        for i, e in enumerate(entries) if e.change != "same"
    )
    sections = []
    for i, entry in enumerate(entries):
        if entry.change == "same":
            continue
        rows = "".join(
            f'<tr class="{row.kind}"><td class=l>{escape(row.left or "")}</td><td class=r>{escape(row.right or "")}</td></tr>'
            for row in side_by_side(entry.diff)
        )
        sections.append(
            f'<section id="o{i}"><h2>{escape(entry.ref)} <span class=badge>{escape(entry.change)}</span></h2>'
            f"<table class=dt><tr><th>{escape(left)}</th><th>{escape(right)}</th></tr>{rows}</table></section>"
        )
    unchanged = [e.ref for e in entries if e.change == "same"]
    same = f"<p class=muted>unchanged: {escape(', '.join(unchanged))}</p>" if unchanged else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>kubemap diff</title><style>{CSS}{DIFF_CSS}</style></head><body>"
        f"<header><h1>kubemap diff: {escape(left)} → {escape(right)}</h1>"
        f"<span class=muted>{escape(_counts(entries))}</span></header>"
        f"<div class=layout><nav>{nav or '<span class=muted>no differences</span>'}</nav><main>"
        f"{''.join(sections) or '<p>No differences.</p>'}{same}</main></div></body></html>\n"
    )
