"""Compose's value formats: Go durations ("1m30s"), byte sizes ("512m"), and how Compose writes
numbers and booleans as strings (environment values, labels)."""

from __future__ import annotations

import math
import re
from typing import Any

_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                     "m": 60.0, "h": 3600.0}
_BYTES = re.compile(r"^([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP]?)[iI]?[bB]?$")
_BYTE_FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}


class UnitError(ValueError):
    """A value is not a valid duration or size; the message says what is expected."""


def parse_duration(value: Any) -> float:
    """Go duration ("1m30s", "1.5h", "100ms") or a plain number of seconds -> seconds."""
    if isinstance(value, bool):
        raise UnitError(f"{value!r} is not a duration; expected e.g. 10s, 1m30s, 1.5h")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return float(text)
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    pos = 0
    total = 0.0
    for match in _DURATION_PART.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(body) or not body:
        raise UnitError(f"{text!r} is not a duration; expected e.g. 10s, 1m30s, 1.5h, 500ms")
    return sign * total


def format_duration(seconds: float) -> str:
    """Seconds -> Go's duration string ("1m30s", "1h0m0s", "500ms"), as `docker compose config`."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 1:
        for unit, factor in (("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
            if seconds >= factor:
                return f"{sign}{_number(round(seconds / factor, 6))}{unit}"
        return f"{sign}0s"
    hours = int(seconds // 3600)
    minutes = int((seconds - hours * 3600) // 60)
    rest = round(seconds - hours * 3600 - minutes * 60, 9)
    out = sign
    if hours:
        out += f"{hours}h{minutes}m"
    elif minutes:
        out += f"{minutes}m"
    return out + f"{_number(rest)}s"


def parse_bytes(value: Any) -> int:
    """Byte size ("512m", "1gb", "1.5g", 1024) -> bytes. Units are binary (k = 1024)."""
    if isinstance(value, bool):
        raise UnitError(f"{value!r} is not a size; expected e.g. 512m, 1g, 1024")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    match = _BYTES.match(str(value).strip())
    if not match:
        raise UnitError(f"{value!r} is not a size; expected a number with an optional unit "
                        "b, k, m, g, t, p (e.g. 512m, 1g, 1.5gb)")
    return int(float(match.group(1)) * _BYTE_FACTORS[match.group(2).lower()])


def compose_string(value: Any) -> str | None:
    """How Compose writes a scalar given where a string is expected (environment, labels)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return {math.inf: "+Inf", -math.inf: "-Inf"}.get(value, "NaN")
    if float(value).is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(float(value))
    return text
