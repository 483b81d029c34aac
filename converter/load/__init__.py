"""Load a Compose project the way Docker Compose does, into converter.model.Project.

The loader is imported when a function here is called, not with the package: every CLI command
imports `converter.load.options` (which runs this file) to declare its options, and `--help` or
a bad flag must not pay for pydantic and the YAML reader. No import circle is involved
(tests/unit/test_converter_shape.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from converter.load.options import LoadOptions

if TYPE_CHECKING:
    from converter.model.project import Project


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
