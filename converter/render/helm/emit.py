"""Template tree → template text.

Plain parts are dumped with the plain renderer's YAML style and key order (serialize.py), so a
chart rendered with its default values reads like `kubemap convert` output. Nodes (tree.py)
become Go template actions. Every action line starts with `{{-`, which removes the line break
before it: in the rendered output an action line leaves no trace.

Text from the Compose project can contain `{{` (Go or Jinja templates in a config file or a
command). Helm would execute it, so every `{{` of plain text is written as `{{ "{{" }}`, which
renders back to `{{`.
"""

from __future__ import annotations

import re
from typing import Any

from converter.render.helm.tree import (
    Block,
    Document,
    Expr,
    OptionalScalar,
    Splice,
    ToYaml,
    When,
    has_nodes,
)
from converter.render.serialize import yaml_mapping

_TOP_LEVEL_FIRST = ("apiVersion", "kind", "metadata", "spec", "data", "binaryData", "stringData")
_OPEN = re.compile(r"\{\{")


def escape(text: str) -> str:
    """Plain text as template text that renders back to itself."""
    return _OPEN.sub('{{ "{{" }}', text)


def _ordered_keys(mapping: dict[Any, Any], first: tuple[str, ...]) -> list[Any]:
    plain = [k for k in mapping if not isinstance(k, Splice)]
    leading = [k for k in first if k in mapping]
    rest = sorted(k for k in plain if k not in first)
    return [*leading, *rest, *(k for k in mapping if isinstance(k, Splice))]


def _dump(key: str, value: Any, indent: int) -> list[str]:
    """`key: value` of plain data, in the plain renderer's style, indented."""
    text = yaml_mapping({key: _plain(value)})
    pad = " " * indent
    return [pad + line if line else line for line in escape(text).rstrip("\n").split("\n")]


def _plain(value: Any) -> Any:
    """Nested mappings in the plain renderer's order: `name` first, the other keys sorted."""
    if isinstance(value, dict):
        return {k: _plain(value[k]) for k in _ordered_keys(value, ("name",))}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _dump_item(value: Any, indent: int) -> list[str]:
    """One plain list item `- ...` at `indent`."""
    text = yaml_mapping([_plain(value)])
    pad = " " * indent
    return [pad + line if line else line for line in escape(text).rstrip("\n").split("\n")]


def emit_mapping(mapping: dict[Any, Any], indent: int, first: tuple[str, ...] = ("name",)) -> list[str]:
    lines: list[str] = []
    for key in _ordered_keys(mapping, first):
        lines += emit_entry(key, mapping[key], indent)
    return lines


def emit_entry(key: Any, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(key, Splice):
        return [f"{pad}{{{{- {key.expr} | nindent {indent} }}}}"]
    if isinstance(value, When):
        return [f"{pad}{{{{- if {value.cond} }}}}", *emit_entry(key, value.value, indent), f"{pad}{{{{- end }}}}"]
    if isinstance(value, Expr):
        return [f"{pad}{key}: {{{{ {value.text} }}}}"]
    if isinstance(value, OptionalScalar):
        return [f"{pad}{{{{- with {value.expr} }}}}", f"{pad}{key}: {{{{ . | {value.pipe} }}}}",
                f"{pad}{{{{- end }}}}"]
    if isinstance(value, ToYaml):
        if value.omit_empty:
            return [f"{pad}{{{{- with {value.expr} }}}}", f"{pad}{key}:",
                    f"{pad}  {{{{- toYaml . | nindent {indent + 2} }}}}", f"{pad}{{{{- end }}}}"]
        return [f"{pad}{key}:", f"{pad}  {{{{- toYaml {value.expr} | nindent {indent + 2} }}}}"]
    if isinstance(value, Block):
        return [f"{pad}{key}:", *value.render(indent + 2)]
    if not has_nodes(value):
        return _dump(key, value, indent)
    if isinstance(value, dict):
        return [f"{pad}{key}:", *emit_mapping(value, indent + 2)]
    if isinstance(value, list):
        lines = [f"{pad}{key}:"]
        for item in value:
            lines += emit_item(item, indent)
        return lines
    raise TypeError(f"cannot emit {type(value).__name__}")


def emit_item(item: Any, indent: int) -> list[str]:
    """One list item at `indent` (lists are written indentless, as the plain renderer does)."""
    pad = " " * indent
    if isinstance(item, When):
        return [f"{pad}{{{{- if {item.cond} }}}}", *emit_item(item.value, indent), f"{pad}{{{{- end }}}}"]
    if isinstance(item, Expr):
        return [f"{pad}- {{{{ {item.text} }}}}"]
    if not has_nodes(item):
        return _dump_item(item, indent)
    if isinstance(item, dict):
        inner = emit_mapping(item, indent + 2)
        if inner[0].lstrip().startswith("{{"):
            return [f"{pad}-", *inner]
        return [f"{pad}- {inner[0][indent + 2:]}", *inner[1:]]
    raise TypeError(f"cannot emit list item {type(item).__name__}")


def emit_document(document: Document) -> list[str]:
    lines = [f"# {document.comment}"] if document.comment else []
    body = ["---", *emit_mapping(document.body, 0, _TOP_LEVEL_FIRST)]
    if document.condition:
        return [*lines, f"{{{{- if {document.condition} }}}}", *body, "{{- end }}"]
    return [*lines, *body]
