"""Load a Compose project the way Docker Compose does, into converter.model.Project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from converter.model.project import Project


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


def load_project(options: LoadOptions) -> Project:
    """Load, merge, interpolate, validate and normalise a Compose project.

    Raises converter.errors.LoadError (file, line, key path, hint) for anything wrong with the
    input. This is the only place kubemap reads compose files, env files and bind sources.
    """
    from converter.load.loader import load

    return load(options)


def resolved_config(project: Project) -> dict[str, Any]:
    """The project as `docker compose config` would print it: long syntax, sorted keys."""
    from converter.load.resolved import resolved_config as _resolved

    return _resolved(project)


def config_document(project: Project) -> dict[str, Any]:
    """What `kubemap config` prints: as `docker compose config` (no env_file, `$` as `$$`)."""
    from converter.load.resolved import config_document as _document

    return _document(project)


__all__ = ["LoadOptions", "config_document", "load_project", "resolved_config"]
