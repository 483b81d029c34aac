"""Load a Compose project the way Docker Compose does, into converter.model.Project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LoadOptions:
    """Everything that decides how a project is loaded. `environ` is the process environment,
    handed over by the CLI: COMPOSE_FILE / COMPOSE_PROFILES / COMPOSE_PROJECT_NAME are read from
    it (as Docker Compose does); other variables only when use_shell_env is true."""

    files: list[str] = field(default_factory=list)
    env_files: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    project_name: str | None = None
    project_directory: str | None = None
    use_shell_env: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)
    cwd: str = "."


__all__ = ["LoadOptions"]
