"""Names in a chart: the chart's own name, value keys, template file names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from converter.errors import RenderError

SHARED_TEMPLATE = "shared"
_RESERVED_STEMS = {SHARED_TEMPLATE, "notes"}
_CHART_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def chart_name(project: str) -> str:
    """Helm's convention: lower-case letters, digits and dashes."""
    name = re.sub(r"[^a-z0-9-]+", "-", project.lower()).strip("-")
    name = re.sub(r"-{2,}", "-", name)
    if not _CHART_NAME.match(name):
        raise RenderError(f"cannot make a chart name from the project name {project!r}",
                          hint="give the project a name with letters or digits (-p/--project-name)")
    return name


def camel(name: str) -> str:
    """`db-password` → `dbPassword`, `my_app.v2` → `myAppV2`: Helm's value naming (camelCase,
    no dashes). A leading digit gets `_` so the key stays a template identifier."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    if not words:
        return "_"
    key = words[0][:1].lower() + words[0][1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    return f"_{key}" if key[0].isdigit() else key


def unique_keys(names: Iterable[str]) -> dict[str, str]:
    """name → camelCase key, unique: a second name with the same key gets `2`, `3`, … (in
    sorted name order, so the choice never depends on input order)."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(set(names)):
        base = camel(name)
        key, n = base, 2
        while key in used:
            key, n = f"{base}{n}", n + 1
        used.add(key)
        keys[name] = key
    return keys


def template_stem(service: str | None) -> str:
    """templates/<service>.yaml; objects of no service go to templates/shared.yaml. A service
    named like one of the chart's own files gets `-service`. (A file starting with `_` would be
    a partial that Helm never renders, so shared objects cannot use the plain output's
    `_shared`.)"""
    if service is None:
        return SHARED_TEMPLATE
    return f"{service}-service" if service.casefold() in _RESERVED_STEMS else service
