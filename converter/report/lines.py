"""YAML-like text of a value, one line at a time, each line tagged with the key path it shows.

The report needs to know which line of a Compose block or a Kubernetes object shows which key
(`ports[0]`, `.spec.template.spec.containers[0].ports`) to tie the two sides together; a YAML
library's dump cannot say that, so this small emitter does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_/.][A-Za-z0-9 _./:@+-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


@dataclass(frozen=True)
class PathLine:
    text: str
    path: str  # "" for the top line of an object; ".a.b[0]" style below it


def scalar(value: Any) -> str:
    """A scalar in YAML syntax: plain where that is unambiguous, JSON-quoted otherwise."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, bytes):
        return "!!binary " + value.hex()
    text = str(value)
    if (_PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith((" ", ":"))
            and ": " not in text and " #" not in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def emit(value: Any, path: str = "", indent: int = 0) -> list[PathLine]:
    """Lines of `value` below `path`, indented by `indent` spaces."""
    pad = " " * indent
    out: list[PathLine] = []
    if isinstance(value, dict):
        if not value:
            return [PathLine(pad + "{}", path)]
        for key, item in value.items():
            child = f"{path}.{key}"
            label = f"{pad}{scalar(key)}:"
            if isinstance(item, (dict, list)) and item:
                out.append(PathLine(label, child))
                out.extend(emit(item, child, indent + 2))
            else:
                out.append(PathLine(f"{label} {_inline(item)}", child))
        return out
    if isinstance(value, list):
        if not value:
            return [PathLine(pad + "[]", path)]
        for index, item in enumerate(value):
            child = f"{path}[{index}]"
            if isinstance(item, (dict, list)) and item:
                inner = emit(item, child, indent + 2)
                first = inner[0]
                out.append(PathLine(f"{pad}- {first.text.lstrip()}", first.path if isinstance(item, dict) else child))
                out.extend(inner[1:])
            else:
                out.append(PathLine(f"{pad}- {_inline(item)}", child))
        return out
    return [PathLine(pad + scalar(value), path)]


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)


def first_line_of(lines: list[PathLine], path: str) -> int | None:
    """Index of the first line showing `path` or something below it; None when absent."""
    for index, line in enumerate(lines):
        if line.path == path or line.path.startswith(path + ".") or line.path.startswith(path + "["):
            return index
    return None


_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[([^=\]]+)=([^\]]*)\]")


def index_path(value: Any, path: str) -> str:
    """Rewrite selector segments (`[name=web]`, as the trace writes list items) to indexes
    (`[0]`) by looking into `value`, so the path matches what `emit` tags lines with. Segments
    that cannot be resolved end the path there (the nearest existing parent is shown)."""
    out = ""
    current = value
    for match in _SEGMENT.finditer(path):
        key, index, sel_key, sel_value = match.groups()
        if key is not None:
            if not isinstance(current, dict) or key not in current:
                break
            current = current[key]
            out += f".{key}"
        elif index is not None:
            if not isinstance(current, list) or int(index) >= len(current):
                break
            current = current[int(index)]
            out += f"[{index}]"
        else:
            if not isinstance(current, list):
                break
            position = next((i for i, item in enumerate(current)
                             if isinstance(item, dict) and str(item.get(sel_key)) == sel_value), None)
            if position is None:
                break
            current = current[position]
            out += f"[{position}]"
    return out
