"""Compose variable interpolation: `$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:?msg}`, `${V?msg}`,
`${V:+x}`, `${V+x}`, nested values such as `${A:-${B:-c}}`, and `$$` for a literal `$`.

The rules are Docker Compose's (compose-go's `template` package), quirks included, because a
file must mean the same to both:
- a `${` expression ends at the brace that balances it, counting every `{` and `}` in between,
  so `${RE:-^(\\d{4})$}` has the default `^(\\d{4})$`; a `$` that starts no expression
  (`$1`, `$ `, a trailing `$`) stays as it is;
- an expression never spans lines;
- a `${` that forms no valid expression is an error.

After interpolation, values at the keys Compose types (booleans, numbers: `read_only`,
`ports[].target`, `deploy.replicas`, ...) are converted as Compose converts them
(`cast_value`), so `read_only: ""` is refused as Compose refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from converter.errors import LoadError
from converter.load.yaml_reader import Override, Reset, format_path, item_pos, key_pos

_PATTERN = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|"
    r"\{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](?:.*))?)\}|(?P<invalid>)))",
    re.IGNORECASE,
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

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
    if "$" not in text:
        return text
    problems: list[InterpolationProblem] = []

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped") is not None:
            return "$"
        name = match.group("named")
        if name is not None:
            return _value(name, lookup, warnings, on_unset)
        try:
            return _braced(match.group(0), text, lookup, warnings, on_unset)
        except InterpolationProblem as problem:
            problems.append(problem)
            return ""

    result = _PATTERN.sub(replace, text)
    if problems:
        raise problems[0]
    return result


_BRACES = re.compile(r"[{}]")


def _first_closing_brace(text: str) -> int:
    """Index of the `}` that balances the first `{`, counting every brace (Compose's rule;
    the character right after a `{` is skipped)."""
    depth = 0
    skip = -1
    for brace in _BRACES.finditer(text):
        index = brace.start()
        if index == skip:
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        else:
            depth += 1
            skip = index + 1
    return -1


_BODY = re.compile(r"([_a-z][_a-z0-9]*)(:?[-+?])?", re.IGNORECASE)


def _braced(matched: str, whole: str, lookup: Lookup, warnings: list[str] | None,
            on_unset: OnUnset | None = None) -> str:
    """A `${...}` match: Compose's pattern takes everything up to the last `}` of the line, so
    the expression is cut at the brace that balances it and the rest interpolated after it."""
    closing = _first_closing_brace(matched)
    rest = ""
    if closing > -1:
        matched, rest = matched[: closing + 1], matched[closing + 1 :]
    match = _PATTERN.match(matched)
    if match is None or match.group("braced") is None:
        raise _invalid(matched, whole)
    body = match.group("braced")
    parts = _BODY.match(body)
    assert parts is not None  # the pattern's braced group starts with a name
    variable, operator = parts.group(1), parts.group(2)
    if operator is None:
        return _value(variable, lookup, warnings, on_unset)
    return _apply(variable, operator, body[parts.end():], lookup, warnings, on_unset=on_unset) + substitute(
        rest, lookup, warnings, on_unset)


def _invalid(matched: str, whole: str) -> InterpolationProblem:
    hint = "write '$$' for a literal '$'"
    start = whole.find(matched)
    line = whole[start + 2:].split("\n")[0]
    name = _NAME.match(line)
    if not name:
        return InterpolationProblem(
            f"invalid interpolation format in {whole!r}: '${{{line[:20]}' does not start with a "
            "variable name", "a variable name starts with a letter or '_'; " + hint)
    if "}" not in line:
        return InterpolationProblem(
            f"invalid interpolation format in {whole!r}: '${{' is never closed on its line",
            "close the expression with '}' on the same line, or " + hint)
    following = line[name.end():name.end() + 1]
    return InterpolationProblem(
        f"invalid interpolation format in {whole!r}: unexpected {following!r} after "
        f"'${{{name.group(0)}'",
        "use ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, "
        "${VAR:+alt} or ${VAR+alt}; " + hint)


def _apply(name: str, op: str, arg: str, lookup: Lookup, warnings: list[str] | None,
           *, on_unset: OnUnset | None = None) -> str:
    value = lookup(name)
    unset_or_empty = value is None or value == ""
    if op == ":-":
        return substitute(arg, lookup, warnings, on_unset) if unset_or_empty else str(value)
    if op == "-":
        return substitute(arg, lookup, warnings, on_unset) if value is None else value
    if op == ":+":
        return value or "" if unset_or_empty else substitute(arg, lookup, warnings, on_unset)
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


def _value(name: str, lookup: Lookup, warnings: list[str] | None,
           on_unset: OnUnset | None = None) -> str:
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
    *, unset: list[UnsetUse] | None = None, pos: tuple[str, int] | None = None,
) -> Any:
    """Interpolate every string value (not keys) of a YAML tree, in place where possible, and
    give the values at typed keys their type (`cast_value`).

    Extension fields (`x-*`) are interpolated too, like Compose does. Each use of an unset
    variable without a default is appended to `unset` with where it was written.
    """
    path = path or []
    if isinstance(tree, (Reset, Override)):
        tree.value = interpolate_tree(tree.value, lookup, file, warnings, path, unset=unset, pos=pos)
        return tree
    if isinstance(tree, dict):
        for key in list(tree):
            where = key_pos(tree, key)
            try:
                tree[key] = interpolate_tree(tree[key], lookup, file, warnings, [*path, key],
                                             unset=unset, pos=where)
            except InterpolationProblem as problem:
                raise _located(problem, file, where, [*path, key]) from None
        return tree
    if isinstance(tree, list):
        for index, item in enumerate(tree):
            where = item_pos(tree, index)
            try:
                tree[index] = interpolate_tree(item, lookup, file, warnings, [*path, index],
                                               unset=unset, pos=where)
            except InterpolationProblem as problem:
                raise _located(problem, file, where, [*path, index]) from None
        return tree
    if isinstance(tree, str):
        if unset is None:
            return cast_value(path, substitute(tree, lookup, warnings))
        record = (pos[0] if pos else file, pos[1] if pos else None, format_path(path))
        return cast_value(path, substitute(tree, lookup, warnings,
                                           lambda name: unset.append((name, *record))))
    return tree


# Keys whose interpolated text Compose converts to a boolean or a number (compose-go's
# `interpolateTypeCastMapping`); `*` is any key or list item. A string elsewhere stays a string.
_CONTAINER = (("services", "*"), ("jobs", "*"), ("services", "*", "pre_start", "*"))
_WORKLOAD = (("services", "*"), ("jobs", "*"))
_SERVICE = (("services", "*"),)
_CAST_RULES: tuple[tuple[tuple[tuple[str, ...], ...], str, tuple[str, ...]], ...] = (
    ((("networks", "*"),), "bool", ("external",)),
    ((("networks", "*"),), "bool", ("internal",)),
    ((("networks", "*"),), "bool", ("attachable",)),
    ((("networks", "*"),), "bool", ("enable_ipv4",)),
    ((("networks", "*"),), "bool", ("enable_ipv6",)),
    ((("volumes", "*"), ("secrets", "*"), ("configs", "*")), "bool", ("external",)),
    (_CONTAINER, "int", ("cpu_count",)),
    (_CONTAINER, "float", ("cpu_percent",)),
    (_CONTAINER, "int", ("cpu_period",)),
    (_CONTAINER, "int", ("cpu_quota",)),
    (_CONTAINER, "int", ("cpu_rt_period",)),
    (_CONTAINER, "int", ("cpu_rt_runtime",)),
    (_CONTAINER, "float", ("cpus",)),
    (_CONTAINER, "int", ("cpu_shares",)),
    (_CONTAINER, "bool", ("init",)),
    (_CONTAINER, "bool", ("oom_kill_disable",)),
    (_CONTAINER, "int", ("oom_score_adj",)),
    (_CONTAINER, "int", ("pids_limit",)),
    (_CONTAINER, "bool", ("privileged",)),
    (_CONTAINER, "bool", ("read_only",)),
    (_CONTAINER, "int", ("ulimits", "*")),
    (_CONTAINER, "int", ("ulimits", "*", "hard")),
    (_CONTAINER, "int", ("ulimits", "*", "soft")),
    (_CONTAINER, "bool", ("volumes", "[]", "read_only")),
    (_CONTAINER, "bool", ("volumes", "[]", "volume", "nocopy")),
    (_WORKLOAD, "bool", ("depends_on", "*", "required")),
    (_WORKLOAD, "bool", ("depends_on", "*", "restart")),
    (_WORKLOAD, "int", ("healthcheck", "retries")),
    (_WORKLOAD, "bool", ("healthcheck", "disable")),
    (_WORKLOAD, "int", ("ports", "[]", "target")),
    (_WORKLOAD, "bool", ("stdin_open",)),
    (_WORKLOAD, "bool", ("tty",)),
    (_SERVICE, "int", ("deploy", "replicas")),
    (_SERVICE, "int", ("deploy", "update_config", "parallelism")),
    (_SERVICE, "float", ("deploy", "update_config", "max_failure_ratio")),
    (_SERVICE, "int", ("deploy", "rollback_config", "parallelism")),
    (_SERVICE, "float", ("deploy", "rollback_config", "max_failure_ratio")),
    (_SERVICE, "int", ("deploy", "restart_policy", "max_attempts")),
    (_SERVICE, "int", ("deploy", "placement", "max_replicas_per_node")),
    (_SERVICE, "int", ("scale",)),
)


def _cast_index() -> dict[tuple[int, str], list[tuple[tuple[str, ...], str]]]:
    """Patterns by (length, last part), so a value's path is matched against a few only."""
    index: dict[tuple[int, str], list[tuple[tuple[str, ...], str]]] = {}
    for prefixes, kind, tail in _CAST_RULES:
        for prefix in prefixes:
            pattern = (*prefix, *tail)
            index.setdefault((len(pattern), pattern[-1]), []).append((pattern, kind))
    return index


_CASTS = _cast_index()
_TRUE = {"true", "y", "yes", "on"}
_FALSE = {"false", "n", "no", "off"}
_INT = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?"
                    r"|inf|infinity|nan)$", re.IGNORECASE)


def cast_value(path: list[Any], value: str) -> Any:
    """The interpolated text at `path`, converted as Compose converts it (or left as text)."""
    if len(path) < 3:
        return value
    last = "[]" if isinstance(path[-1], int) else path[-1]
    candidates = _CASTS.get((len(path), last))
    if path[-2] == "ulimits":
        candidates = [*(candidates or ()), *_CASTS.get((len(path), "*"), ())]
    if not candidates:
        return value
    shape = tuple("[]" if isinstance(p, int) else str(p) for p in path)
    for pattern, kind in candidates:
        if all(p in ("*", s) for p, s in zip(pattern, shape)):
            return _cast(kind, value)
    return value


def _cast(kind: str, value: str) -> Any:
    if kind == "bool":
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise InterpolationProblem(f"{value!r} is not a boolean", "write true or false")
    if kind == "int":
        if _INT.match(value):
            return int(value)
        raise InterpolationProblem(f"{value!r} is not a whole number", "write e.g. 3")
    if _FLOAT.match(value):
        return float(value)
    raise InterpolationProblem(f"{value!r} is not a number", "write e.g. 0.5")


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


__all__ = ["InterpolationProblem", "UnsetUse", "cast_value", "interpolate_tree", "substitute"]
