"""What `kubemap up`, `down` and `status` show while they work: on a terminal a spinner with the
current step and the last line of its tool, and a live per-service table while the rollout is
waited for; in a log (not a terminal) plain lines: steps with their times, a heartbeat for long
steps, and one line per service whenever its state changes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from converter.cluster import ObjectResult, WorkloadStatus

HEARTBEAT_SECONDS = 30.0


def status_table(statuses: list[WorkloadStatus], width: int | None = None) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
    for column in ("SERVICE", "WORKLOAD", "PHASE", "READY", "RESTARTS", "LAST EVENT"):
        table.add_column(column, no_wrap=True, overflow="ellipsis",
                         max_width=max(20, (width or 120) - 80) if column == "LAST EVENT" else None)
    for s in statuses:
        table.add_row(s.service or s.ref.name, str(s.ref), Text(phase_text(s), style=_style(s)), ready_text(s),
                      str(s.restarts), s.last_event)
    return table


def phase_text(status: WorkloadStatus) -> str:
    if status.failed:
        return "Failed"
    if status.done and status.ref.kind == "Job":
        return "Completed"
    return status.phase or ("Ready" if status.done else "waiting")


def ready_text(status: WorkloadStatus) -> str:
    suffix = " completions" if status.note == "completions" else ""
    return f"{status.ready}/{status.desired}{suffix}" + (" ✓" if status.done else "")


def _style(status: WorkloadStatus) -> str:
    if status.failed or (status.problem and (status.problem.fatal or status.problem.lasting)):
        return "red"
    if status.done:
        return "green"
    return "yellow" if status.problem else ""


def status_line(status: WorkloadStatus) -> str:
    event = f"  {status.last_event}" if status.last_event else ""
    return (f"  {status.service or status.ref.name:<14} {str(status.ref):<26} {phase_text(status):<20} "
            f"{ready_text(status):<10} restarts={status.restarts}{event}")


class ConsoleReporter:
    """converter.up.Reporter for a console (stderr)."""

    def __init__(self, console: Console) -> None:
        # The CLI's stderr console may be a lazy proxy; rich's Live wants the Console itself.
        self.console: Console = getattr(console, "target", console)
        self.tty = console.is_terminal
        self._live: Live | None = None
        self._title = ""
        self._last_output = ""
        self._step_started = 0.0
        self._last_beat = 0.0
        self._table: Table | None = None
        self._printed: dict[str, str] = {}
        self.actions: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> ConsoleReporter:
        if self.tty:
            self._live = Live(console=self.console, auto_refresh=True, refresh_per_second=8, transient=True,
                              get_renderable=self._renderable)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live:
            self._live.__exit__(None, None, None)
            self._live = None
        if self.tty and self._table is not None:
            self.console.print(self._table)  # the last table stays on screen

    def _renderable(self) -> Group:
        parts: list[object] = []
        if self._title:
            elapsed = time.monotonic() - self._step_started
            parts.append(Spinner("dots", text=Text.assemble((self._title, "bold"), f"  {elapsed:.0f}s")))
            if self._last_output:
                parts.append(Text("  " + self._last_output[: max(20, self.console.width - 4)], style="dim"))
        if self._table is not None:
            parts.append(self._table)
        return Group(*parts)  # type: ignore[arg-type]

    # -- Reporter --------------------------------------------------------------------------
    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        outer = (self._title, self._step_started, self._last_output)
        self._title, self._step_started, self._last_output = title, time.monotonic(), ""
        self._last_beat = self._step_started
        if not self.tty:
            self.console.print(f"… {title}", markup=False, highlight=False, soft_wrap=True)
        ok = False
        try:
            yield
            ok = True
        finally:
            took = time.monotonic() - self._step_started
            mark = "✓" if ok else "✗"
            self.console.print(f"{mark} {title} ({took:.0f}s)", style="green" if ok else "red", markup=False,
                               highlight=False, soft_wrap=True)
            self._title, self._step_started, self._last_output = outer

    def output(self, line: str) -> None:
        self._last_output = line.strip()
        if not self.tty:
            now = time.monotonic()
            if now - self._last_beat >= HEARTBEAT_SECONDS:
                self._last_beat = now
                self.console.print(f"  … {now - self._step_started:.0f}s: {self._last_output}", markup=False,
                                   highlight=False, soft_wrap=True)

    def note(self, text: str) -> None:
        self.console.print(f"· {text}", markup=False, highlight=False, soft_wrap=True)

    def warn(self, text: str) -> None:
        self.console.print(f"! {text}", style="yellow", markup=False, highlight=False, soft_wrap=True)

    def applied(self, result: ObjectResult) -> None:
        action = result.action.replace(" (server dry run)", "")
        self.actions[action] = self.actions.get(action, 0) + 1

    def statuses(self, statuses: list[WorkloadStatus]) -> None:
        if self.tty:
            self._table = status_table(statuses, self.console.width)
            return
        for s in statuses:
            line = status_line(s)
            if self._printed.get(str(s.ref)) != line:
                self._printed[str(s.ref)] = line
                self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def show_table(self, statuses: list[WorkloadStatus]) -> None:
        """The table once (kubemap status): a table on a terminal, the log lines otherwise."""
        if self.tty:
            self.console.print(status_table(statuses, self.console.width))
            return
        for s in statuses:
            self.console.print(status_line(s), markup=False, highlight=False, soft_wrap=True)
