"""`kubemap version`: the same as --version, for scripts that prefer a subcommand."""

import typer

from converter import __version__
from converter.cli.app import app


@app.command("version")
def version_command() -> None:
    """Print kubemap's version."""
    typer.echo(f"kubemap {__version__}")
