"""`kubemap config` and `kubemap validate`: load a Compose project the way Docker Compose does,
and print it fully resolved, or say what is wrong with it."""

from __future__ import annotations

import json
from dataclasses import replace
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from converter.cli.app import app, err_console
from converter.cli.options import project_options
from converter.load.options import LoadOptions

if TYPE_CHECKING:
    from converter.model.project import Project


class ConfigFormat(str, Enum):
    yaml = "yaml"
    json = "json"


@app.command("config")
@project_options
def config_command(
    *,
    project: LoadOptions,
    output_format: Annotated[
        ConfigFormat, typer.Option("--format", help="Output format.")
    ] = ConfigFormat.yaml,
) -> None:
    """Print the fully resolved Compose project, like `docker compose config`.

    Files are merged (`-f` order, or compose.yaml + compose.override.yaml), `include` and
    `extends` are resolved, variables are interpolated from `.env` / `--env-file`, profiles are
    applied, and every short syntax is written in its long form, as Docker Compose v5 does
    (a test compares the two on hundreds of projects). Keys are sorted, so the output is stable
    and diffable; every `$` is written `$$`, so the output can be loaded again unchanged.

    Example: `kubemap config -f compose.yaml -f compose.prod.yaml --env-file prod.env`

    Warnings (unset variables, obsolete keys) go to stderr; exit code 2 on any problem.
    """
    loaded = _load(project)
    typer.echo(config_text(loaded, output_format.value), nl=False)


@app.command("validate")
@project_options
def validate_command(*, project: LoadOptions) -> None:
    """Check a Compose project and say what is wrong with it.

    Runs the whole loader (YAML, interpolation, merging, the official Compose JSON schema,
    references, depends_on cycles) and prints `ok: N services` when the project is sound, or the
    problem with its file, line, key path and a hint, with exit code 2.

    Example: `kubemap validate -f compose.yaml` prints
    `compose.yaml:12: services.api.ports[1]: 'abc' is not a valid container port ...`
    """
    loaded = _load(project)
    disabled = (f", {len(loaded.disabled_services)} disabled by profiles"
                if loaded.disabled_services else "")
    typer.echo(f"ok: {len(loaded.services)} services{disabled} ({loaded.name})")


def _load(options: LoadOptions) -> Project:
    """The project as Docker Compose loads it (bind sources are not looked at: nothing here
    needs them), with Compose's warnings on stderr. Every problem is an error (exit 2)."""
    from converter.load import load_project

    project = load_project(replace(options, read_host_paths=False))
    for warning in project.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", markup=True, soft_wrap=True,
                          highlight=False)
    return project


def config_text(project: Project, output_format: str) -> str:
    """What `kubemap config` prints: the resolved project with every `$` written `$$`, as
    `docker compose config` does, so that feeding the output back to Compose (or kubemap) does
    not interpolate a second time."""
    from converter.load import config_document

    data = config_document(project)
    if output_format == "json":
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return _yaml(data)


def _yaml(data: object) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=True, allow_unicode=True,
                     default_flow_style=False, width=100)
