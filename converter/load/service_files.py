"""The files a service names for values: `env_file` (its variables) and `label_file` (labels),
read in the dotenv format and interpolated from the project environment. Their paths are
already host paths (host_paths.py); `locate` says whether one may be read (host_paths.value_file):
one outside the project is never read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from converter.load.dotenv import parse_dotenv
from converter.load.problems import Problem
from converter.load.values import boolean


Locate = Callable[[str], "tuple[str, str]"]

OUTSIDE_HINT = ("kubemap reads no file outside the project, so that the output does not depend on the machine "
                "that converts: move the file into the project (a path relative to the compose file may climb "
                "out of its folder, e.g. ../common.env), or set the variables in `environment`")


def env_files(value: Any, lookup: Callable[[str], str | None], warnings: list[str],
              locate: Locate) -> tuple[list[str], dict[str, str | None]]:
    """The env files that exist (`required: false` ones may not) and their variables, later
    files winning."""
    if value is None:
        return [], {}
    entries = value if isinstance(value, list) else [value]
    paths: list[str] = []
    values: dict[str, str | None] = {}
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):
            path, required = entry.get("path"), boolean(entry.get("required", True))
            if entry.get("format"):
                raise Problem(f"env_file format {entry['format']!r} is not supported",
                              "kubemap reads the Compose dotenv format: remove `format`",
                              path=[index, "format"] if isinstance(value, list) else ["format"])
        else:
            path, required = entry, True
        path = str(path)
        where = [index] if isinstance(value, list) else []
        state, found = locate(path)
        if state == "outside":
            if required:
                raise Problem(f"env file not read: {found}", OUTSIDE_HINT, path=where)
            warnings.append(f"env_file {path} (required: false) is not read: {found}")
            continue
        if state == "missing":
            if required:
                raise Problem(f"env file {path} not found",
                              "create it, fix the path, or use the long form with "
                              "`required: false`", path=where)
            continue
        paths.append(path)
        text = Path(found).read_text(encoding="utf-8", errors="replace")
        values.update(parse_dotenv(text, path, lookup, warnings))
    return paths, values


def label_files(value: Any, lookup: Callable[[str], str | None], warnings: list[str],
                locate: Locate) -> dict[str, str]:
    """Labels read from `label_file` (dotenv syntax); inline `labels` win over them."""
    out: dict[str, str] = {}
    for index, path in enumerate(value if isinstance(value, list) else [value] if value else []):
        path = str(path)
        where = [index] if isinstance(value, list) else []
        state, found = locate(path)
        if state == "outside":
            raise Problem(f"label file not read: {found}", OUTSIDE_HINT, path=where)
        if state == "missing":
            raise Problem(f"label file {path} not found", "create it or fix the path", path=where)
        text = Path(found).read_text(encoding="utf-8", errors="replace")
        for key, label in parse_dotenv(text, path, lookup, warnings).items():
            out[key] = label or ""
    return out
