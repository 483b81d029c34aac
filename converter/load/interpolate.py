"""Compose variable interpolation: `$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:?msg}`, `${V?msg}`,
`${V:+x}`, `${V+x}`, nested values such as `${A:-${B:-c}}`, and `$$` for a literal `$`.

A `$` that starts none of these (e.g. `$1`, `$ `) stays as it is, like Docker Compose; a `${`
that does not form a valid expression is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from converter.errors import LoadError
from converter.load.yaml_reader import Override, Reset, format_path, item_pos, key_pos

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")

Lookup = Callable[[str], "str | None"]
OnUnset = Callable[[str], None]  # told each unset variable that became "" (no default)


class InterpolationProblem(Exception):
    """Raised by `substitute`; the caller adds where the text was written."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def substitute(text: str, lookup: Lookup, warnings: list[str] | None = None,
               on_unset: OnUnset | None = None) -> str:
    """Interpolate one string. Unset variables without a default become "" and add a warning
    (and are passed to `on_unset`, which records where they were used)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch != "$":
            j = text.find("$", i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
            continue
        if i + 1 < n and text[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if i + 1 < n and text[i + 1] == "{":
            end = _closing_brace(text, i + 2)
            if end < 0:
                raise InterpolationProblem(
                    f"invalid interpolation format in {text!r}: '${{' is never closed",
                    "close the expression with '}', or write '$$' for a literal '$'",
                )
            out.append(_braced(text[i + 2 : end], text, lookup, warnings, on_unset))
            i = end + 1
            continue
        match = _NAME.match(text, i + 1)
        if match:
            out.append(_value(match.group(0), lookup, warnings, on_unset))
            i = match.end()
            continue
        out.append("$")
        i += 1
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` that closes a `${` whose body starts at `start`, honouring nesting."""
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _braced(body: str, whole: str, lookup: Lookup, warnings: list[str] | None,
            on_unset: OnUnset | None = None) -> str:
    match = _NAME.match(body)
    if not match:
        raise InterpolationProblem(
            f"invalid interpolation format in {whole!r}: '${{{body}}}' does not start with a "
            "variable name",
            "a variable name starts with a letter or '_'; write '$$' for a literal '$'",
        )
    name = match.group(0)
    rest = body[match.end() :]
    if rest == "":
        return _value(name, lookup, warnings, on_unset)
    for op in _OPERATORS:
        if rest.startswith(op):
            arg = rest[len(op) :]
            return _apply(name, op, arg, lookup, warnings, on_unset)
    raise InterpolationProblem(
        f"invalid interpolation format in {whole!r}: unexpected {rest[0]!r} after '${{{name}'",
        "use ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, "
        "${VAR:+alt} or ${VAR+alt}",
    )


def _apply(name: str, op: str, arg: str, lookup: Lookup, warnings: list[str] | None,
           on_unset: OnUnset | None = None) -> str:
    value = lookup(name)
    unset_or_empty = value is None or value == ""
    if op == ":-":
        return substitute(arg, lookup, warnings, on_unset) if unset_or_empty else str(value)
    if op == "-":
        return substitute(arg, lookup, warnings, on_unset) if value is None else value
    if op == ":+":
        return "" if unset_or_empty else substitute(arg, lookup, warnings, on_unset)
    if op == "+":
        return "" if value is None else substitute(arg, lookup, warnings, on_unset)
    # ":?" and "?": the variable is required.
    missing = unset_or_empty if op == ":?" else value is None
    if missing:
        message = substitute(arg, lookup, warnings)
        state = "unset or empty" if op == ":?" else "unset"
        raise InterpolationProblem(
            f"required variable {name} is {state}: {message}" if message
            else f"required variable {name} is {state}",
            f"set {name} in .env, in a file given with --env-file, or pass --use-shell-env",
        )
    return str(value)


def _value(name: str, lookup: Lookup, warnings: list[str] | None, on_unset: OnUnset | None = None) -> str:
    value = lookup(name)
    if value is None:
        if on_unset is not None:
            on_unset(name)
        if warnings is not None:
            message = f'the "{name}" variable is not set; using a blank string'
            if message not in warnings:
                warnings.append(message)
        return ""
    return value


UnsetUse = tuple[str, str, "int | None", str]  # variable, file, line, key path


def interpolate_tree(
    tree: Any, lookup: Lookup, file: str, warnings: list[str], path: list[Any] | None = None,
    unset: list[UnsetUse] | None = None, pos: tuple[str, int] | None = None,
) -> Any:
    """Interpolate every string value (not keys) of a YAML tree, in place where possible.

    Extension fields (`x-*`) are interpolated too, like Compose does. Each use of an unset
    variable without a default is appended to `unset` with where it was written.
    """
    path = path or []
    if isinstance(tree, (Reset, Override)):
        tree.value = interpolate_tree(tree.value, lookup, file, warnings, path, unset, pos)
        return tree
    if isinstance(tree, dict):
        for key in list(tree):
            where = key_pos(tree, key)
            try:
                tree[key] = interpolate_tree(tree[key], lookup, file, warnings, [*path, key], unset, where)
            except InterpolationProblem as problem:
                raise _located(problem, file, where, [*path, key]) from None
        return tree
    if isinstance(tree, list):
        for index, item in enumerate(tree):
            where = item_pos(tree, index)
            try:
                tree[index] = interpolate_tree(item, lookup, file, warnings, [*path, index], unset, where)
            except InterpolationProblem as problem:
                raise _located(problem, file, where, [*path, index]) from None
        return tree
    if isinstance(tree, str):
        if unset is None:
            return substitute(tree, lookup, warnings)
        record = (pos[0] if pos else file, pos[1] if pos else None, format_path(path))
        return substitute(tree, lookup, warnings, lambda name: unset.append((name, *record)))
    return tree


def _located(
    problem: InterpolationProblem, file: str, pos: tuple[str, int] | None, path: list[Any]
) -> LoadError:
    return LoadError(
        problem.message,
        file=pos[0] if pos else file,
        line=pos[1] if pos else None,
        key_path=format_path(path),
        hint=problem.hint,
    )


__all__ = ["InterpolationProblem", "UnsetUse", "interpolate_tree", "substitute"]
