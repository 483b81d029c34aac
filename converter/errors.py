"""The one exception family. The CLI turns any KubemapError into a red message and exit code 2."""

from __future__ import annotations


class KubemapError(Exception):
    """A problem the user can fix: bad input, unreachable cluster, conflict.

    file/line/key_path say where; `hint` says what to do. str() gives the one-line form
    `file:line: key.path: what is wrong (hint)`.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        key_path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.key_path = key_path
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        path = f"{self.key_path}: " if self.key_path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{path}{self.message}{hint}"


class LoadError(KubemapError):
    """The compose project could not be loaded (syntax, schema, interpolation, references)."""


class TranslateError(KubemapError):
    """The project loaded but cannot be translated (name collisions, cycles, strict mode)."""


class RenderError(KubemapError):
    """Rendered output failed validation or could not be written."""


class ClusterError(KubemapError):
    """The cluster could not be reached, refused a request, or did not converge."""
