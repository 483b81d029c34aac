"""Which files make a project, which directory it lives in, its environment and its name —
decided exactly as Docker Compose decides them."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from converter.errors import LoadError
from converter.load.dotenv import parse_dotenv

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_FILE_NAMES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)
_VALID_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class Environment:
    """Variables for interpolation, plus the COMPOSE_* controls."""

    values: dict[str, str]  # what `${VAR}` sees
    controls: dict[str, str]  # COMPOSE_* read from the process environment, then from .env
    env_files: list[str]  # absolute paths of the dotenv files read


def read_text(path: str, what: str, hint: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError(f"{what} {path} not found", file=path, hint=hint) from None
    except IsADirectoryError:
        raise LoadError(f"{what} {path} is a directory, not a file", file=path, hint=hint) from None
    except UnicodeDecodeError:
        raise LoadError(f"{what} {path} is not UTF-8 text", file=path,
                        hint="save the file as UTF-8") from None
    except OSError as err:
        raise LoadError(f"cannot read {what} {path}: {err.strerror}", file=path, hint=hint) from None


def find_default_files(start: str, warnings: list[str]) -> list[str]:
    """compose.yaml (or one of its older names) in `start` or the nearest parent, plus the
    matching override file next to it."""
    directory = Path(start).resolve()
    for folder in (directory, *directory.parents):
        found = [name for name in COMPOSE_FILE_NAMES if (folder / name).is_file()]
        if found:
            if len(found) > 1:
                warnings.append(f"found {' and '.join(found)} in {folder}; using {found[0]}")
            files = [str(folder / found[0])]
            overrides = [name for name in OVERRIDE_FILE_NAMES if (folder / name).is_file()]
            if overrides:
                files.append(str(folder / overrides[0]))
            return files
    raise LoadError(
        f"no compose file found in {directory} or its parent directories",
        hint="run kubemap in the folder that holds compose.yaml, or pass -f path/to/compose.yaml",
    )


def split_compose_file(value: str, separator: str | None) -> list[str]:
    return [part for part in value.split(separator or os.pathsep) if part]


def load_environment(
    env_files: list[str],
    default_dir: str,
    environ: Mapping[str, str],
    use_shell_env: bool,
    warnings: list[str],
    *, fixed: Mapping[str, str] | None = None,
) -> Environment:
    """Read the dotenv files (explicit ones, or `<default_dir>/.env` if present).

    The shell's variables are used for interpolation only with `use_shell_env` (and then they win
    over the files, as in Docker Compose). `fixed` variables (PWD) are set like shell ones: the
    files see them and cannot change them. COMPOSE_* controls always come from the shell first.
    """
    shell = {**(fixed or {}), **(dict(environ) if use_shell_env else {})}
    paths: list[str]
    if env_files:
        paths = env_files
        for path in paths:
            if not os.path.isfile(path):
                raise LoadError(f"env file {path} not found", file=path,
                                hint="fix the --env-file path, or create the file")
    else:
        default = os.path.join(default_dir, ".env")
        paths = [default] if os.path.isfile(default) else []
    values: dict[str, str] = {}
    for path in paths:
        text = read_text(path, "env file", "fix the --env-file path")

        def lookup(name: str) -> str | None:
            return shell.get(name, values.get(name))

        for key, value in parse_dotenv(text, path, lookup, warnings).items():
            if value is not None:
                values[key] = value
    values.update(shell)
    controls = {k: v for k, v in values.items() if k.startswith("COMPOSE_")}
    controls.update({k: v for k, v in environ.items() if k.startswith("COMPOSE_")})
    return Environment(values=values, controls=controls, env_files=[os.path.abspath(p) for p in paths])


def normalise_project_name(name: str) -> str:
    """Directory name -> project name: lowercase, only [a-z0-9_-], starting with a letter/digit."""
    name = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return name.lstrip("_-")


def check_project_name(name: str, source: str) -> str:
    if not _VALID_NAME.match(name):
        raise LoadError(
            f"{name!r} (from {source}) is not a valid project name",
            hint="use only lowercase letters, digits, '-' and '_', starting with a letter or digit",
        )
    return name
