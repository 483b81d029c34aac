"""Typer application: global options, error handling, and registration of every command.

Start-up matters (`kubemap version` in well under 0.1 s, `kubemap config` close to Docker
Compose): main.py answers `version` before this module (and Typer) is imported, `run`
registers only the command it runs (all of them for help and unknown commands), and rich is
imported the first time something is printed to stderr.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import TYPE_CHECKING, Any, Optional

import click
import typer
from typer.core import TyperGroup

import converter.cli as cli_package
from converter import __version__
from converter.errors import KubemapError

if TYPE_CHECKING:
    from rich.console import Console


class _Commands(TyperGroup):
    """The one error handler: a KubemapError from any command (bad input, a --strict violation,
    an unreachable cluster) is one red line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KubemapError as error:
            show_error(error)
            raise typer.Exit(code=2) from None


app = typer.Typer(
    cls=_Commands,
    name="kubemap",
    help=(
        "Convert a Docker Compose project to Kubernetes manifests, and see how each Compose key "
        "maps onto a Kubernetes field.\n\n"
        "Typical use: `kubemap convert` in a folder with compose.yaml writes k8s/; "
        "`kubemap report` shows the mapping side by side; `kubemap up` runs the project on a local "
        "kind cluster (`kubemap down` removes it)."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)



class _LazyConsole:
    """rich's stderr Console, made on first use (importing rich costs ~20 ms that a command
    printing nothing to stderr should not pay)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def target(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


err_console: Console = _LazyConsole(stderr=True, highlight=False)  # type: ignore[assignment]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kubemap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Optional[bool] = typer.Option(  # noqa: UP007 - typer needs Optional here
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """kubemap: Compose to Kubernetes, with the mapping shown."""


def show_error(error: KubemapError) -> None:
    """A KubemapError as one red line with its hint; a loader's error that collected several
    problems (`kubemap validate`) as one line each and a count."""
    from rich.markup import escape  # rich is imported on first print (see the module docstring)

    problems = getattr(error, "problems", None) or [error]
    for problem in problems:
        # escaped: messages quote user input and hints such as host[:port][/path], not markup
        err_console.print(f"[bold red]error:[/] {escape(str(problem))}", markup=True, soft_wrap=True, highlight=False)
    if len(problems) > 1:
        err_console.print(f"{len(problems)} problems", highlight=False)


# Commands that live in a module of another name (every other command NAME is in NAME_cmd.py).
_COMMAND_MODULES = {"validate": "config_cmd", "explain": "report_cmd"}


def _register_commands(command: str | None = None) -> None:
    """Import the module that defines `command` (each `converter/cli/*_cmd.py` registers its
    commands on `app` when imported); for help, no command or an unknown one, all of them,
    sorted so `--help` lists commands in a stable order."""
    modules = sorted(m.name for m in pkgutil.iter_modules(cli_package.__path__) if m.name.endswith("_cmd"))
    if command is not None and not command.startswith("-"):
        wanted = _COMMAND_MODULES.get(command, f"{command}_cmd")
        if wanted in modules:
            importlib.import_module(f"converter.cli.{wanted}")
            if any(c.name == command for c in app.registered_commands):
                return
    for module in modules:
        importlib.import_module(f"converter.cli.{module}")


def run(args: list[str]) -> None:
    """Run the command line `args` (sys.argv[1:]); converter/cli/main.py calls this."""
    _register_commands(args[0] if args else None)
    app()


def main() -> None:
    """The CLI with this process's arguments (the `kubemap` script is converter/cli/main.py,
    which answers `version` without importing this module)."""
    run(sys.argv[1:])
