"""`kubemap config` and `kubemap validate`: load a Compose project the way Docker Compose does,
and print it fully resolved, or say what is wrong with it."""

from __future__ import annotations

import json
from dataclasses import replace
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from converter.cli.app import app, err_console, fail
from converter.cli.options import (
    EnvFileOpt,
    FileOpt,
    ProfileOpt,
    ProjectDirOpt,
    ProjectNameOpt,
    ShellEnvOpt,
    load_options,
)
from converter.errors import KubemapError

if TYPE_CHECKING:
    from converter.model.project import Project


class ConfigFormat(str, Enum):
    yaml = "yaml"
    json = "json"


@app.command("config")
def config_command(
    file: FileOpt = None,
    env_file: EnvFileOpt = None,
    profile: ProfileOpt = None,
    project_name: ProjectNameOpt = None,
    project_directory: ProjectDirOpt = None,
    use_shell_env: ShellEnvOpt = False,
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
    from converter.load import load_project

    options = replace(load_options(file, env_file, profile, project_name, project_directory,
                                   use_shell_env), read_host_paths=False)
    try:
        project = load_project(options)
    except KubemapError as err:
        raise fail(err) from None
    for warning in project.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", markup=True, soft_wrap=True,
                          highlight=False)
    typer.echo(config_text(project, output_format.value), nl=False)


@app.command("validate")
def validate_command(
    file: FileOpt = None,
    env_file: EnvFileOpt = None,
    profile: ProfileOpt = None,
    project_name: ProjectNameOpt = None,
    project_directory: ProjectDirOpt = None,
    use_shell_env: ShellEnvOpt = False,
) -> None:
    """Check a Compose project and say what is wrong with it.

    Runs the whole loader (YAML, interpolation, merging, the official Compose JSON schema,
    references, depends_on cycles) and prints `ok: N services` when the project is sound, or the
    problem with its file, line, key path and a hint, with exit code 2.

    Example: `kubemap validate -f compose.yaml` prints
    `compose.yaml:12: services.api.ports[1]: 'abc' is not a valid container port ...`
    """
    from converter.load import load_project

    options = replace(load_options(file, env_file, profile, project_name, project_directory,
                                   use_shell_env), read_host_paths=False)
    try:
        project = load_project(options)
    except KubemapError as err:
        problems = getattr(err, "problems", None)
        if not problems:
            raise fail(err) from None
        for problem in problems:
            err_console.print(f"[bold red]error:[/] {problem}", markup=True, soft_wrap=True,
                              highlight=False)
        err_console.print(f"{len(problems)} problems", highlight=False)
        raise typer.Exit(code=2) from None
    for warning in project.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", markup=True, soft_wrap=True,
                          highlight=False)
    disabled = (f", {len(project.disabled_services)} disabled by profiles"
                if project.disabled_services else "")
    typer.echo(f"ok: {len(project.services)} services{disabled} ({project.name})")


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
