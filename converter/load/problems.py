"""Several problems reported at once, so `kubemap validate` can list them all."""

from __future__ import annotations

from converter.errors import LoadError


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
