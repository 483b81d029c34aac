"""The report in the terminal: rich tables with two columns that fit the terminal's width."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from converter.report.data import ProjectReport, Row, ServiceReport

STATUS_STYLE = {"mapped": ("mapped", "green"), "approximated": ("approximated", "yellow"),
                "unsupported": ("not mapped", "red"), "untraced": ("untraced", "magenta")}


def _row_cells(row: Row, service: ServiceReport) -> tuple[Text, Text]:
    left = Text("\n".join(service.compose[i].text for i in range(*row.compose_lines)) or row.key)
    label, style = STATUS_STYLE[row.status]
    right = Text()
    for target in row.targets:
        right.append(f"{target.ref}", style="bold")
        right.append(f" {target.field_path}\n" if target.field_path else "\n")
    if not row.targets:
        right.append("(nothing generated)\n", style="dim")
    if row.values:
        right.append("chart value: ", style="cyan")
        right.append(", ".join(row.values) + "\n")
    right.append(label, style=style)
    if row.reasons:
        right.append(": " + "; ".join(row.reasons))
    if row.rules:
        right.append(f"  [{', '.join(row.rules)}]", style="dim")
    return left, right


def service_table(service: ServiceReport, only_key: str | None = None) -> Table:
    table = Table(title=f"service {service.name}", expand=True, show_lines=True, title_justify="left")
    table.add_column("Compose", ratio=2, overflow="fold")
    table.add_column("Kubernetes", ratio=3, overflow="fold")
    for row in service.rows:
        if only_key is None or row.key == only_key:
            table.add_row(*_row_cells(row, service))
    return table


def summary_panel(report: ProjectReport) -> Panel:
    counts = report.status_counts
    text = Text()
    text.append(f"project {report.project}: {len(report.services)} services\n", style="bold")
    text.append("objects: " + ", ".join(f"{k} ×{n}" for k, n in report.objects_by_kind.items()) + "\n")
    text.append(f"{counts.get('mapped', 0)} mapped", style="green")
    text.append(", ")
    text.append(f"{counts.get('approximated', 0)} approximated", style="yellow")
    text.append(", ")
    text.append(f"{counts.get('unsupported', 0)} not mapped", style="red")
    text.append(f"; {len(report.findings)} findings")
    if report.chart:
        text.append(f"\nchart {report.chart}: each key shows the value it became; Secret values are never "
                    "in values.yaml (give them at install time or name an existing Secret)", style="cyan")
    if report.disabled_services:
        text.append(f"\nnot converted (profiles): {', '.join(report.disabled_services)}", style="dim")
    return Panel(text, title="kubemap report", title_align="left")


def concept_table(report: ProjectReport) -> Table:
    table = Table(title="Docker ideas → Kubernetes", expand=True, title_justify="left")
    table.add_column("Docker / Compose", ratio=1)
    table.add_column("Kubernetes", ratio=2)
    table.add_column("in this project", ratio=2, overflow="fold")
    for idea, counterpart, example in report.concepts:
        table.add_row(idea, counterpart, example.replace("`", ""))
    return table


def render_terminal(report: ProjectReport, console: Console) -> None:
    parts = [summary_panel(report), concept_table(report)]
    parts += [service_table(service) for service in report.services]
    console.print(Group(*parts))
