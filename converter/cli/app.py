"""Typer application: global options, error handling, and registration of every command."""

from __future__ import annotations

import sys
from typing import Optional

import typer
from rich.console import Console

from converter import __version__
from converter.errors import KubemapError

app = typer.Typer(
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

err_console = Console(stderr=True, highlight=False)


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


def fail(error: KubemapError) -> typer.Exit:
    """Print a KubemapError as one red line (plus its hint) and return exit code 2."""
    err_console.print(f"[bold red]error:[/] {error}", markup=True, soft_wrap=True)
    return typer.Exit(code=2)


def _register_commands() -> None:
    # Each command lives in its own module `converter/cli/*_cmd.py` and registers itself on `app`
    # when imported; sorted so `--help` lists commands in a stable order.
    import importlib
    import pkgutil

    import converter.cli as package

    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
        if module.endswith("_cmd"):
            importlib.import_module(f"converter.cli.{module}")


def main() -> None:
    _register_commands()
    try:
        app()
    except KubemapError as error:  # a command forgot to catch: still no traceback
        err_console.print(f"[bold red]error:[/] {error}", markup=True, soft_wrap=True)
        sys.exit(2)
