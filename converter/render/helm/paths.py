"""Field paths as the trace writes them (`.spec.ports[name=tcp-80]`, `.containers[0].image`)
resolved against an object into key/index tuples, so trace targets and chart values can be
compared exactly."""

from __future__ import annotations

import re
from typing import Any

FieldPath = tuple[str | int, ...]
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[([^=\]]+)=([^\]]*)\]")


def parse_target(target: str) -> tuple[str, str]:
    """'Deployment/api .spec.replicas' → ('Deployment/api', '.spec.replicas')."""
    ref, _, path = target.partition(" ")
    return ref, path


def resolve(body: Any, path: str) -> FieldPath | None:
    """The path as keys and indexes in `body`; None when a segment does not exist there."""
    out: list[str | int] = []
    current = body
    position = 0
    for match in _SEGMENT.finditer(path):
        if match.start() != position:
            return None
        position = match.end()
        key, index, sel_key, sel_value = match.groups()
        if key is not None:
            if not isinstance(current, dict) or key not in current:
                return None
            current = current[key]
            out.append(key)
        elif index is not None:
            if not isinstance(current, list) or int(index) >= len(current):
                return None
            current = current[int(index)]
            out.append(int(index))
        else:
            if not isinstance(current, list):
                return None
            found = next((i for i, item in enumerate(current) if _selects(item, sel_key, sel_value)), None)
            if found is None:
                return None
            current = current[found]
            out.append(found)
    return tuple(out) if position == len(path) else None


def _selects(item: Any, key: str, value: str) -> bool:
    """`[name=x]` picks the item whose name is x (a claim template's name is in its metadata)."""
    if not isinstance(item, dict):
        return False
    meta = item.get("metadata")
    return str(item.get(key)) == value or (isinstance(meta, dict) and str(meta.get(key)) == value)
