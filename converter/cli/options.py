"""Options shared by every command that loads a Compose project (config, validate, convert,
report, explain, apply, diff), so they are spelled and documented the same everywhere."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from converter.load import LoadOptions

FileOpt = Annotated[
    Optional[list[Path]],
    typer.Option(
        "-f",
        "--file",
        help="Compose file; repeat to merge several (later files override earlier ones). "
        "Default: compose.yaml / docker-compose.yml (+ its .override) in the project directory, "
        "or COMPOSE_FILE.",
        show_default=False,
    ),
]
EnvFileOpt = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--env-file",
        help="Read variables for interpolation from this file instead of .env; repeatable, "
        "later files win.",
        show_default=False,
    ),
]
ProfileOpt = Annotated[
    Optional[list[str]],
    typer.Option("--profile", help="Enable services of this profile; repeatable.", show_default=False),
]
ProjectNameOpt = Annotated[
    Optional[str],
    typer.Option("-p", "--project-name", help="Project name (default: COMPOSE_PROJECT_NAME, the "
                 "top-level `name:`, or the project directory's name).", show_default=False),
]
ProjectDirOpt = Annotated[
    Optional[Path],
    typer.Option("--project-directory", help="Base directory for relative paths and .env "
                 "(default: the first compose file's directory).", show_default=False),
]
ShellEnvOpt = Annotated[
    bool,
    typer.Option("--use-shell-env", help="Also interpolate from this shell's environment "
                 "(off by default so your shell never leaks into the output)."),
]

RegistryOpt = Annotated[
    Optional[str],
    typer.Option("--registry", help="Run the images of services with `build:` from this registry "
                 "(host[:port][/path], e.g. 127.0.0.1:5051 or ghcr.io/acme): the manifests name them "
                 "`REGISTRY/NAME:TAG` with imagePullPolicy IfNotPresent; `kubemap build --push "
                 "--registry REGISTRY` puts them there.", show_default=False),
]


def load_options(
    files: list[Path] | None,
    env_files: list[Path] | None,
    profiles: list[str] | None,
    project_name: str | None,
    project_directory: Path | None,
    use_shell_env: bool,
) -> LoadOptions:
    """Build the loader's options from the CLI flags. The process environment is passed in here,
    at the edge; the loader only reads COMPOSE_* from it unless --use-shell-env is given."""
    return LoadOptions(
        files=[str(f) for f in files or []],
        env_files=[str(f) for f in env_files or []],
        profiles=list(profiles or []),
        project_name=project_name,
        project_directory=str(project_directory) if project_directory else None,
        use_shell_env=use_shell_env,
        environ=dict(os.environ),
        cwd=os.getcwd(),
    )
