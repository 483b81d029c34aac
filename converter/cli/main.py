"""The `kubemap` entry point. It answers `kubemap version` / `--version` before importing any
CLI library (Typer alone takes longer to import than the interpreter takes to start); every
other command goes to the Typer application in `app.py`."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args in (["version"], ["--version"]):
        from converter import __version__

        sys.stdout.write(f"kubemap {__version__}\n")
        return
    from converter.cli.app import run

    run(args)
