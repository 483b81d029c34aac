"""Scalar values as Compose reads them once the schema has passed: booleans, numbers, file
modes, durations, sizes, string lists, command lines and key=value mappings. Values that came from
interpolation can still be strings where numbers are expected; they are converted here, and a
wrong one is a `Problem`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from converter.load.problems import Problem
from converter.load.shell_words import ShellWordsError, split
from converter.load.short_syntax import key_value_map
from converter.load.units import UnitError, compose_string, parse_bytes, parse_duration


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "on", "1"):
        return True
    if text in ("false", "no", "n", "off", "0", ""):
        return False
    raise Problem(f"{value!r} is not a boolean; expected true or false")


def optional_boolean(value: Any) -> bool | None:
    return None if value is None else boolean(value)


def integer(value: Any, what: str = "number") -> int:
    if isinstance(value, bool):
        raise Problem(f"{value!r} is not a {what}; expected a whole number")
    try:
        return int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise Problem(f"{value!r} is not a {what}; expected a whole number") from None


def number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Problem(f"{value!r} is not a number; expected e.g. 0.5 or 2") from None


def file_mode(value: Any) -> int:
    """File mode: an int (YAML already read 0440 as octal) or a string like "0440"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    try:
        return int(text, 8) if text.startswith("0") else int(text)
    except ValueError:
        raise Problem(f"{value!r} is not a file mode; expected e.g. 0440") from None


def duration(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except UnitError as err:
        raise Problem(str(err)) from None


def byte_size(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return parse_bytes(value)
    except UnitError as err:
        raise Problem(str(err)) from None


def str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def command_words(value: Any, warn: Callable[[str], None] | None = None) -> list[str] | None:
    """command/entrypoint: a string is split into words as Compose splits it (shell_words)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [compose_string(v) or "" for v in value]
    try:
        words, ignored = split(str(value))
    except ShellWordsError as err:
        raise Problem(f"cannot split {value!r} into words: {err}",
                      "write it as a list, or as [sh, -c, '...'] to run a shell") from None
    if ignored and warn is not None:
        warn(f"{ignored!r} is ignored: Compose splits this string into words and stops at an "
             "unquoted ; & | < > (no shell runs it); write [sh, -c, '...'] to run a shell")
    return words


def string_map(value: Any) -> dict[str, str | None]:
    return {str(k): compose_string(v) for k, v in key_value_map(value).items()}


def labels(value: Any) -> dict[str, str]:
    return {k: "" if v is None else v for k, v in string_map(value).items()}


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
