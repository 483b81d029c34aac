"""How `up`, `down` and `status` tell the CLI what they are doing. The CLI implements it (a
spinner and a live table on a terminal, plain lines in a CI log); nothing here prints."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from converter.cluster import ObjectResult, WorkloadStatus


class Reporter(Protocol):
    def step(self, title: str) -> AbstractContextManager[None]:
        """A long piece of work: shown while it runs, then with how long it took."""

    def output(self, line: str) -> None:
        """One line of a tool's output within the current step."""

    def note(self, text: str) -> None:
        """Something the user should know (a decision and why)."""

    def warn(self, text: str) -> None:
        """Something that will likely go wrong or surprise, with what to do."""

    def applied(self, result: ObjectResult) -> None:
        """One object applied or pruned."""

    def statuses(self, statuses: list[WorkloadStatus]) -> None:
        """One round of the rollout: per workload, phase, ready/desired, restarts, last event."""
