"""The options every command that loads a Compose project shares (config, validate, convert,
report, explain, apply, diff, up, down, status), declared once: `@project_options` adds them to a
command and hands the command one typed `LoadOptions` (its parameter `project`)."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from converter.load.options import LoadOptions
from converter.load.units import UnitError, parse_duration

F = TypeVar("F", bound=Callable[..., Any])

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
    typer.Option("--registry", show_default=False, metavar="REGISTRY",
                 help="Run the images of services with `build:` from this registry (host[:port][/path], e.g. "
                 "127.0.0.1:5051 or ghcr.io/acme): the manifests name them `REGISTRY/NAME:TAG` with "
                 "imagePullPolicy IfNotPresent; `kubemap build --push --registry REGISTRY` puts them there."),
]


def keyword_parameters(*rows: tuple[str, Any, Any]) -> list[inspect.Parameter]:
    """(name, annotated option type, default) rows as the keyword parameters of a command."""
    return [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
            for name, annotation, default in rows]


_PROJECT_PARAMETERS = keyword_parameters(
    ("files", FileOpt, None),
    ("env_files", EnvFileOpt, None),
    ("profiles", ProfileOpt, None),
    ("project_name", ProjectNameOpt, None),
    ("project_directory", ProjectDirOpt, None),
    ("use_shell_env", ShellEnvOpt, False),
)


def load_options(
    *,
    files: list[Path] | None = None,
    env_files: list[Path] | None = None,
    profiles: list[str] | None = None,
    project_name: str | None = None,
    project_directory: Path | None = None,
    use_shell_env: bool = False,
) -> LoadOptions:
    """The loader's options from the flags. The process environment and working directory are
    handed over here, at the edge; the loader reads only COMPOSE_* from the environment unless
    --use-shell-env is given."""
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


def option_group(parameters: list[inspect.Parameter], make: Callable[..., Any], name: str) -> Callable[[F], F]:
    """A decorator that declares `parameters` on a command (before its own) and calls it with
    `make(**their values)` as the one argument `name`. Typer reads the options from the
    signature this sets, so a group of options is declared once for every command that takes it."""

    def decorate(command: F) -> F:
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
               for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != name]

        @functools.wraps(command)
        def with_group(**values: Any) -> Any:
            flags = {p.name: values.pop(p.name) for p in parameters}
            return command(**{name: make(**flags)}, **values)

        with_group.__signature__ = inspect.Signature([*parameters, *own])  # type: ignore[attr-defined]
        return with_group  # type: ignore[return-value]

    return decorate


# The project options on a command, handed to it as one `LoadOptions`, `project`.
project_options = option_group(_PROJECT_PARAMETERS, load_options, "project")


def duration(text: str) -> float:
    """`--timeout`: a duration as Compose writes them ("90s", "5m", "1m30s", "1.5h") or seconds."""
    try:
        seconds = parse_duration(text)
    except UnitError as error:
        raise typer.BadParameter(str(error)) from None
    if seconds <= 0:
        raise typer.BadParameter(f"{text!r} is not a positive duration")
    return seconds


TimeoutOpt = Annotated[float, typer.Option("--timeout", parser=duration, metavar="DURATION",
                                           help="How long to wait (e.g. 90s, 5m, 1m30s).")]
