"""What decides how a Compose project is loaded (the flags of every command that loads one)."""

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
    # Look at the bind sources and secret/config files (Project.host_paths), which translating
    # needs; `kubemap config` / `validate` print or check the model only and skip it, as Compose.
    read_host_paths: bool = True
