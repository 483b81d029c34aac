"""Small helpers for loader tests: write a project into a temp dir and load it."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from converter.load import LoadOptions, load_project
from converter.model.project import Project


def write(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root (text is dedented)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def load(root: Path, **options: Any) -> Project:
    options.setdefault("cwd", str(root))
    options.setdefault("environ", {})
    return load_project(LoadOptions(**options))


def load_text(root: Path, text: str, **options: Any) -> Project:
    write(root, {"compose.yaml": text})
    return load(root, **options)
