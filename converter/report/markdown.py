"""The report as Markdown, for a pull request or a wiki page."""

from __future__ import annotations

from converter.report.data import ProjectReport, Row, ServiceReport
from converter.report.diagram import render_mermaid

STATUS_LABEL = {"mapped": "✅ mapped", "approximated": "🟡 approximated", "unsupported": "❌ not mapped",
                "untraced": "⚠️ untraced"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _row(row: Row, service: ServiceReport, chart: bool = False) -> str:
    compose = "<br>".join(_cell(_code(service.compose[i].text.strip())) for i in range(*row.compose_lines))
    targets = "<br>".join(_cell(_code(f"{t.ref} {t.field_path}".strip())) for t in row.targets) or "—"
    why = _cell("; ".join(row.reasons))
    rules = ", ".join(row.rules)
    values = _values(row, chart)
    return f"| {compose or _code(row.key)} | {targets} |{values} {STATUS_LABEL[row.status]} | {why} | {rules} |"


def _values(row: Row, chart: bool) -> str:
    """The chart-value cell (with --chart), with its trailing separator."""
    if not chart:
        return ""
    return " " + ("<br>".join(_cell(_code(v)) for v in row.values) or "—") + " |"


def _header(chart: bool) -> list[str]:
    if chart:
        return ["| Compose | Kubernetes | chart value | status | why | rule |", "|---|---|---|---|---|---|"]
    return ["| Compose | Kubernetes | status | why | rule |", "|---|---|---|---|---|"]


def render_markdown(report: ProjectReport) -> str:
    out: list[str] = [f"# kubemap report: {report.project}", ""]
    out.append(f"Source: {', '.join(_code(f) for f in report.source_files)}")
    out.append("")
    out += _summary(report)
    if report.graph is not None and report.graph.nodes:
        out += ["## Picture", "", "```mermaid", render_mermaid(report.graph).rstrip(), "```", ""]
    if report.concepts:
        out += ["## Docker ideas and their Kubernetes counterparts", "",
                "| Docker / Compose | Kubernetes | in this project |", "|---|---|---|"]
        out += [f"| {_cell(a)} | {_cell(b)} | {_cell(c)} |" for a, b, c in report.concepts]
        out.append("")
    for service in report.services:
        out += [f"## Service `{service.name}`", "",
                "Objects: " + (", ".join(_code(o.ref) for o in service.objects) or "none"), "",
                *_header(bool(report.chart))]
        out += [_row(row, service, bool(report.chart)) for row in service.rows]
        out.append("")
        if service.findings:
            out += [f"- **{f.code}** {_code(f.source)}: {_cell(f.message)}" + (f" — {f.hint}" if f.hint else "")
                    for f in service.findings]
            out.append("")
    if report.project_rows:
        out += ["## Project-level keys", "", *_header(bool(report.chart))]
        for row in report.project_rows:
            targets = "<br>".join(_code(f"{t.ref} {t.field_path}".strip()) for t in row.targets) or "—"
            out.append(f"| {_code(row.key)} | {targets} |{_values(row, bool(report.chart))} {STATUS_LABEL[row.status]} | "
                       f"{_cell('; '.join(row.reasons))} | {', '.join(row.rules)} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _summary(report: ProjectReport) -> list[str]:
    counts = report.status_counts
    out = ["## Summary", "",
           f"- services: **{len(report.services)}**"
           + (f" (not converted, disabled by profiles: {', '.join(report.disabled_services)})" if report.disabled_services else ""),
           "- objects: " + ", ".join(f"{kind} ×{n}" for kind, n in report.objects_by_kind.items()),
           f"- keys: {counts.get('mapped', 0)} mapped, {counts.get('approximated', 0)} approximated, "
           f"{counts.get('unsupported', 0)} not mapped",
           f"- findings: {len(report.findings)}"]
    if report.chart:
        out.append(f"- chart `{report.chart}`: the chart value column names the value each key became; Secret "
                   "values are never in values.yaml (give them at install time or name an existing Secret)")
    out.append("")
    return out
