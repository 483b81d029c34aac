"""Which chart value each Compose key became: the trace (Compose key → Kubernetes fields) meets
the chart's values (value → the fields it decides). A key maps to a value when one of its
target fields is that value's field or lies inside it; for a map value (env, secret data) the
key inside the map is named, e.g. `services.api.env.LOG_LEVEL`."""

from __future__ import annotations

from dataclasses import dataclass

from converter.model.bundle import Bundle, TraceEntry
from converter.render.helm.paths import FieldPath, parse_target, resolve
from converter.render.helm.values import Value, Values

# Map values whose keys mirror the keys of the field they decide.
_KEYED = frozenset({"env", "data"})


@dataclass(frozen=True)
class ValueMapping:
    """Compose key path → chart value paths, and chart value path → Compose key paths."""

    by_source: dict[str, list[str]]
    by_value: dict[str, list[str]]


def _inside(outer: FieldPath, inner: FieldPath) -> bool:
    return inner[:len(outer)] == outer


def map_values(bundle: Bundle, values: Values) -> ValueMapping:
    bodies = {f"{o.kind}/{o.name}": o.body for o in bundle.objects}
    fields: dict[str, list[tuple[FieldPath, Value]]] = {}
    for value in values.entries.values():
        for ref, path in value.fields:
            fields.setdefault(ref, []).append((path, value))
    by_source: dict[str, list[str]] = {}
    by_value: dict[str, list[str]] = {}
    for entry in bundle.trace:
        for name in _values_of(entry, bodies, fields):
            if name not in by_source.setdefault(entry.source, []):
                by_source[entry.source].append(name)
            if entry.source not in by_value.setdefault(name, []):
                by_value[name].append(entry.source)
    return ValueMapping(by_source=by_source, by_value=by_value)


def _values_of(entry: TraceEntry, bodies: dict[str, dict], fields: dict[str, list[tuple[FieldPath, Value]]]) -> list[str]:
    names: list[str] = []
    for target in entry.targets:
        ref, path = parse_target(target)
        if ref not in fields or ref not in bodies:
            continue
        resolved = resolve(bodies[ref], path)
        if resolved is None:
            continue
        for field_path, value in fields[ref]:
            if not _inside(field_path, resolved):
                continue
            rest = resolved[len(field_path):]
            name = value.dotted
            if value.path[-1] in _KEYED and rest and isinstance(rest[0], str):
                name = f"{name}.{rest[0]}"
            if name not in names:
                names.append(name)
    return names


def compact_values(names: list[str]) -> list[str]:
    """Values of one group shown once: `…pgData.size`, `…pgData.storageClass` →
    `…pgData.{size,storageClass}` (order kept)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        parent, _, leaf = name.rpartition(".")
        groups.setdefault(parent, []).append(leaf)
    out = []
    for parent, leaves in groups.items():
        out.append(f"{parent}.{leaves[0]}" if len(leaves) == 1 else f"{parent}.{{{','.join(leaves)}}}")
    return out
