"""The chart's values, declared once: default (the Compose value), JSON schema type, description
and the Kubernetes fields each value decides. values.yaml, values.schema.json, the README's
table and the report's "which value did this Compose key become" all come from this list."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from converter.render.serialize import yaml_mapping

# Where a value lands: ("Deployment/api", ("spec", "replicas")); an empty path is the whole object.
FieldRef = tuple[str, tuple[str | int, ...]]


@dataclass(frozen=True)
class Value:
    path: tuple[str, ...]
    default: Any
    schema: dict[str, Any]
    description: str
    fields: tuple[FieldRef, ...] = ()

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def expr(self) -> str:
        """The value in a template, e.g. `$.Values.services.api.replicas`."""
        return "$.Values." + self.dotted


@dataclass
class Values:
    """An ordered set of values plus descriptions of the groups that hold them."""

    entries: dict[tuple[str, ...], Value] = field(default_factory=dict)
    groups: dict[tuple[str, ...], str] = field(default_factory=dict)

    def add(self, path: tuple[str, ...], default: Any, schema: dict[str, Any], description: str,
            fields: tuple[FieldRef, ...] = ()) -> Value:
        if path in self.entries:
            raise ValueError(f"chart value {'.'.join(path)} declared twice")
        value = Value(path, _ordered(default), schema, description, fields)
        self.entries[path] = value
        return value

    def group(self, path: tuple[str, ...], description: str) -> None:
        self.groups.setdefault(path, description)

    # -- outputs -------------------------------------------------------------------------
    def defaults(self) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        for value in self.entries.values():
            node = tree
            for key in value.path[:-1]:
                node = node.setdefault(key, {})
            node[value.path[-1]] = value.default
        return tree

    def schema(self, title: str, comment: str) -> dict[str, Any]:
        root: dict[str, Any] = {"$comment": comment, "$schema": "http://json-schema.org/draft-07/schema#",
                                "title": title, **_object()}
        for value in self.entries.values():
            node = root
            for depth, key in enumerate(value.path[:-1], start=1):
                properties = node["properties"]
                if key not in properties:
                    properties[key] = _object(self.groups.get(value.path[:depth], ""))
                node = properties[key]
            node["properties"][value.path[-1]] = {**value.schema, "description": value.description}
        return root

    def yaml(self, header: str) -> str:
        """values.yaml: every value with a `# --` comment above it (helm-docs style)."""
        lines = [f"# {line}" if line else "#" for line in header.splitlines()]
        lines += self._yaml_lines(self.defaults(), (), 0)
        return "\n".join(lines) + "\n"

    def _yaml_lines(self, node: dict[str, Any], prefix: tuple[str, ...], indent: int) -> list[str]:
        pad = " " * indent
        lines: list[str] = []
        for key, child in node.items():
            path = (*prefix, key)
            value = self.entries.get(path)
            description = value.description if value else self.groups.get(path, "")
            for number, text in enumerate(description.splitlines()):
                lines.append(f"{pad}# -- {text}" if number == 0 else f"{pad}# {text}")
            if value is None:
                lines.append(f"{pad}{key}:")
                lines += self._yaml_lines(child, path, indent + 2)
            else:
                dumped = yaml_mapping({key: child}).rstrip("\n").split("\n")
                lines += [pad + line for line in dumped]
        return lines


def _ordered(value: Any) -> Any:
    """Defaults in the plain renderer's key order (`name` first, the rest sorted); the image's
    own keys keep their reading order."""
    if isinstance(value, dict):
        keys = [k for k in ("name", "repository", "tag", "digest", "pullPolicy") if k in value]
        keys += sorted(k for k in value if k not in keys)
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def _object(description: str = "") -> dict[str, Any]:
    node: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}
    if description:
        node["description"] = description
    return node


def schema_json(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# JSON schemas of the value types used by the chart.
STRING: dict[str, Any] = {"type": "string"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
STRING_MAP: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
OBJECT: dict[str, Any] = {"type": "object"}
OBJECT_LIST: dict[str, Any] = {"type": "array", "items": {"type": "object"}}
QUANTITY: dict[str, Any] = {"type": "string", "minLength": 1}
PULL_POLICY: dict[str, Any] = {"type": "string", "enum": ["", "Always", "IfNotPresent", "Never"]}
SERVICE_TYPE: dict[str, Any] = {"type": "string", "enum": ["ClusterIP", "NodePort", "LoadBalancer"]}
ACCESS_MODES: dict[str, Any] = {
    "type": "array", "minItems": 1,
    "items": {"type": "string", "enum": ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]},
}
RESOURCES: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {"limits": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                   "requests": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                   "claims": {"type": "array", "items": {"type": "object"}}},
}
SERVICE_PORTS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object", "required": ["port"], "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "targetPort": {"type": ["integer", "string"]},
            "nodePort": {"type": ["integer", "null"], "minimum": 1, "maximum": 65535},
            "protocol": {"type": "string", "enum": ["TCP", "UDP", "SCTP"]},
            "appProtocol": {"type": "string"},
        },
    },
}
INGRESS_HOSTS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object", "required": ["paths"], "additionalProperties": False,
        "properties": {
            "host": {"type": "string"},
            "paths": {"type": "array", "items": {
                "type": "object", "required": ["path", "port"], "additionalProperties": False,
                "properties": {"path": {"type": "string"},
                               "pathType": {"type": "string", "enum": ["Prefix", "Exact", "ImplementationSpecific"]},
                               "port": {"type": "integer", "minimum": 1, "maximum": 65535}}}},
        },
    },
}
INGRESS_TLS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "object", "required": ["secretName"], "additionalProperties": False,
              "properties": {"secretName": {"type": "string"},
                             "hosts": {"type": "array", "items": {"type": "string"}}}},
}
