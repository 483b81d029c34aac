"""Validate a merged, interpolated project against the official Compose JSON schema.

The schema is the copy maintained in the `check-jsonschema` package (updated with each of its
releases), never a copy in this tree. Errors are turned into one clear message with the key path,
the line, and a suggestion ("did you mean ...?") for misspelt keys.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import re
from collections import deque
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from converter.errors import LoadError
from converter.load.problems import LoadProblems
from converter.load.yaml_reader import format_path, locate, plain

TOP_LEVEL_KEYS = ("version", "name", "include", "services", "models", "networks", "volumes",
                  "secrets", "configs", "jobs")


SCHEMA_PACKAGE = "check_jsonschema"
SCHEMA_PATH = ("builtin_schemas", "vendor", "compose-spec.json")


@functools.cache
def compose_schema() -> dict[str, Any]:
    """The official Compose schema, as vendored by the maintained check-jsonschema package.

    Found with find_spec rather than importing the package: importing check_jsonschema pulls in
    its CLI and `requests` (0.1-0.25 s), which every kubemap command would pay at start-up."""
    spec = importlib.util.find_spec(SCHEMA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LoadError("the Compose JSON schema is missing: the check-jsonschema package is not installed",
                        hint="reinstall kubemap (pip install kubemap) so its dependencies are present")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*SCHEMA_PATH)
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _validator() -> Any:
    schema = compose_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def check_legacy_and_empty(tree: Any, file: str) -> None:
    """Errors that deserve their own words, before the schema's generic ones."""
    if tree is None or tree == {}:
        raise LoadError("the compose file is empty", file=file,
                        hint="add a top-level `services:` mapping with at least one service")
    if not isinstance(tree, dict):
        raise LoadError(
            f"a compose file must be a mapping at the top level, not a {_kind(tree)}",
            file=file, line=1,
            hint="start the file with `services:` and put each service under it",
        )
    unknown = [k for k in tree if k not in TOP_LEVEL_KEYS and not str(k).startswith("x-")]
    service_keys = _allowed_keys(compose_schema()["$defs"]["service"])
    looks_like_services = unknown and all(
        isinstance(tree[k], dict) and (not tree[k] or any(key in service_keys for key in tree[k]))
        for k in unknown
    )
    if looks_like_services and "services" not in tree:
        pos = locate(tree, [unknown[0]])
        raise LoadError(
            "this is the legacy Compose v1 format (services at the top level, no `services:` "
            "key), which Docker Compose no longer reads",
            file=pos[0] if pos else file, line=pos[1] if pos else None, key_path=str(unknown[0]),
            hint="move the services under a top-level `services:` key and indent them",
        )


class SchemaProblems(LoadProblems):
    """Every schema violation of a project, the most relevant first."""


def validate(tree: Any, default_file: str) -> None:
    """Raise SchemaProblems (a LoadError) when the project breaks the Compose schema."""
    data = _without_plain_mappings(plain(tree))
    errors = [e for e in (_relevant(e) for e in _validator().iter_errors(data)) if e is not None]
    if not errors:
        return
    errors.sort(key=lambda e: (list(map(str, e.absolute_path)), e.message))
    first = best_match(errors) or errors[0]
    problems = [_problem(tree, first, default_file)]
    seen = {(problems[0].key_path, problems[0].message)}
    for error in errors:
        problem = _problem(tree, error, default_file)
        if (problem.key_path, problem.message) not in seen:
            seen.add((problem.key_path, problem.message))
            problems.append(problem)
    first_problem, rest = problems[0], problems[1:]
    if not rest:
        raise first_problem
    rest.sort(key=lambda p: (p.file or "", p.line or 0, p.key_path or ""))
    raise SchemaProblems([first_problem, *rest])


# Service keys whose schema is `list_or_dict`: a mapping of non-empty keys to strings, numbers,
# booleans or nulls, or a list of unique strings.
_LIST_OR_DICT = ("environment", "labels", "annotations", "sysctls")
_SCALARS = (str, int, float, bool, type(None))


def _without_plain_mappings(data: Any) -> Any:
    """The copy the schema checks, with every `list_or_dict` value that is already valid
    replaced by `{}` (which the schema accepts just the same): jsonschema spends most of its time
    on large environments (a 700-key one, used by four services, is most of a real file)."""
    services = data.get("services") if isinstance(data, dict) else None
    for service in services.values() if isinstance(services, dict) else []:
        if not isinstance(service, dict):
            continue
        for key in _LIST_OR_DICT:
            value = service.get(key)
            if isinstance(value, dict) and all(
                    k and isinstance(v, _SCALARS) for k, v in value.items()):
                service[key] = {}
            elif isinstance(value, list) and all(isinstance(v, str) for v in value) \
                    and len(set(value)) == len(value):
                service[key] = {}
    return data


def _problem(tree: Any, error: ValidationError, default_file: str) -> LoadError:
    error = _deepest(error)
    message, hint, path = _describe(error, list(error.absolute_path))
    pos = locate(tree, path)
    return LoadError(message, file=pos[0] if pos else default_file, line=pos[1] if pos else None,
                     key_path=format_path(path) or None, hint=hint)


def _relevant(error: ValidationError) -> ValidationError | None:
    """With allOf, a known key whose value is wrong is also reported as "unevaluated": keep only
    the keys the schema really does not know, and let the value's own error speak."""
    if error.validator != "unevaluatedProperties" or not isinstance(error.instance, dict):
        return error
    allowed = _allowed_keys(error.schema)
    unknown = [k for k in error.instance
               if k not in allowed and not str(k).startswith("x-") and f"'{k}'" in error.message]
    if not unknown:
        return None
    error.message = f"Unevaluated properties are not allowed ('{unknown[0]}' was unexpected)"
    return error


def _deepest(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf errors, the sub-error that went furthest into the value."""
    while error.context:
        candidates = [e for e in error.context if e.validator not in ("oneOf", "anyOf")] or list(
            error.context
        )
        deeper = max(candidates, key=lambda e: (len(e.absolute_path), e.validator != "type"))
        if len(deeper.absolute_path) <= len(error.absolute_path) and error.validator not in (
            "oneOf", "anyOf"
        ):
            break
        if deeper.validator == "type" and len(deeper.absolute_path) == len(error.absolute_path):
            return error  # every alternative failed on type: report the alternatives together
        error = deeper
    return error


def _describe(error: ValidationError, path: list[Any]) -> tuple[str, str | None, list[Any]]:
    validator = error.validator
    if validator in ("additionalProperties", "unevaluatedProperties"):
        unexpected = re.findall(r"'([^']+)'", error.message.split("(")[-1]) or ["?"]
        key = unexpected[0]
        allowed = sorted(_allowed_keys(error.schema))
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        where = format_path(path) or "the top level"
        message = f"unknown key {key!r} in {where}"
        if isinstance(error.instance, dict) and key in error.instance:
            path = [*path, key]
        if close:
            return message, f"did you mean {close[0]!r}?", path
        return message, "remove it, or prefix it with x- to keep it as an extension", path
    if validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return (f"{_show(error.instance)} is not a valid value here; expected {expected}",
                "see https://docs.docker.com/reference/compose-file/", path)
    if validator in ("oneOf", "anyOf"):
        kinds = sorted({str(e.validator_value) for e in error.context or [] if e.validator == "type"})
        expected = " or ".join(kinds) if kinds else "another form"
        return (f"{_show(error.instance)} is not valid here; expected {expected}",
                "see https://docs.docker.com/reference/compose-file/", path)
    if validator == "enum":
        options = ", ".join(map(str, error.validator_value))
        return f"{_show(error.instance)} is not one of: {options}", "use one of these", path
    if validator == "required":
        missing = re.findall(r"'([^']+)'", error.message)
        return f"missing required key {missing[0] if missing else ''!r}", "add it", path
    if validator == "pattern" and isinstance(error.instance, str):
        return (f"{error.instance!r} does not match the pattern {error.validator_value}",
                "change the value so it matches", path)
    if validator == "uniqueItems":
        return "the list has duplicate entries", "remove the duplicates", path
    return error.message, "see https://docs.docker.com/reference/compose-file/", path


def _show(value: Any) -> str:
    if value is None:
        return "null"
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) < 80 else text[:77] + "..."


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _allowed_keys(schema: dict[str, Any]) -> set[str]:
    """Property names a schema node accepts, following $ref and allOf."""
    root = compose_schema()
    keys: set[str] = set()
    queue: deque[Any] = deque([schema])
    seen: set[int] = set()
    while queue:
        node = queue.popleft()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        keys.update(node.get("properties", {}))
        if "$ref" in node and node["$ref"].startswith("#/"):
            target: Any = root
            for part in node["$ref"][2:].split("/"):
                target = target.get(part, {})
            queue.append(target)
        queue.extend(node.get("allOf", []))
    return keys
