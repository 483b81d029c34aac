"""How the loader says what is wrong: a `Problem` with a value (raised where the value is read,
turned into a LoadError with file, line and key path by whoever knows where it was written), and
several LoadErrors at once, so `kubemap validate` can list them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from converter.errors import LoadError


class Problem(ValueError):
    """A value that the schema accepted but that is still wrong; `path` is relative to the value."""

    def __init__(self, message: str, hint: str | None = None, path: list[Any] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = path or []


def at(path: list[Any], fn: Callable[[], Any]) -> Any:
    """Run fn, prefixing the key path of any Problem it raises."""
    try:
        return fn()
    except Problem as problem:
        problem.path = [*path, *problem.path]
        raise


class LoadProblems(LoadError):
    """Reads as its first problem (plus "N more problems"); `problems` holds every one."""

    def __init__(self, problems: list[LoadError]) -> None:
        first = problems[0]
        more = len(problems) - 1
        hint = first.hint
        if more:
            hint = (hint + "; " if hint else "") + f"{more} more problem{'s' if more > 1 else ''}"
        super().__init__(first.message, file=first.file, line=first.line,
                         key_path=first.key_path, hint=hint)
        self.problems = problems


def raise_all(problems: list[LoadError]) -> None:
    """Raise nothing, the single problem, or all of them."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise LoadProblems(problems)
