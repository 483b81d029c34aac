"""A Kubernetes object with holes: plain data plus nodes that Helm fills in at install time.

The chart renderer starts from the very objects `kubemap convert` writes (the Bundle) and puts
one of these nodes where a chart value decides the field. `emit.py` turns the result into
template text; everything that is not a node is written as the plain renderer writes it, so the
chart rendered with its default values gives back the same objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Expr:
    """A scalar computed at install time: `key: {{ text }}`. `text` must render valid YAML
    (quote strings)."""

    text: str


@dataclass(frozen=True)
class OptionalScalar:
    """`key: {{ . | quote }}` only when `expr` is not empty (`with`)."""

    expr: str
    pipe: str = "quote"


@dataclass(frozen=True)
class ToYaml:
    """A mapping or list taken from the values. With omit_empty the key is left out when the
    value is empty, as the plain renderer leaves out empty fields."""

    expr: str
    omit_empty: bool = True


@dataclass(frozen=True)
class When:
    """The key (or list item) only when `cond` holds."""

    cond: str
    value: Any


@dataclass(frozen=True)
class Block:
    """Hand-written template lines for a key's value. `render(indent)` gets the indentation of
    the key's children and returns their lines (actions included)."""

    render: Callable[[int], list[str]]


@dataclass(frozen=True)
class Splice:
    """Mapping entries produced by a named template, e.g. Helm's standard labels. Used as a
    *key*; its value is ignored."""

    expr: str


def has_nodes(value: Any) -> bool:
    """Whether `value` holds any template node (then it cannot be dumped as plain YAML)."""
    if isinstance(value, (Expr, OptionalScalar, ToYaml, When, Block)):
        return True
    if isinstance(value, dict):
        return any(isinstance(k, Splice) or has_nodes(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nodes(item) for item in value)
    return False


@dataclass(frozen=True)
class Document:
    """One object of a template file; `condition` wraps the whole document in `if`."""

    body: dict[str, Any]
    condition: str | None = None
    comment: str = ""
