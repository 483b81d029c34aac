"""Helpers for translate unit tests: build Projects directly from the model, query Bundles."""

from __future__ import annotations

from typing import Any


from converter.model import Bundle, Project, Service
from converter.translate import TranslateOptions, translate


def service(name: str, **fields: Any) -> Service:
    """A Service whose `keys` are the fields given (as the loader records written keys)."""
    keys = fields.pop("keys", None)
    if keys is None:
        keys = [("env_file" if k == "env_files" else k) for k in fields if k not in (
            "env_file_values", "extensions", "sources", "other")]
        keys += list(fields.get("extensions", {})) + list(fields.get("other", {}))
    return Service(name=name, keys=keys, **fields)


def project(*services: Service, **fields: Any) -> Project:
    fields.setdefault("name", "demo")
    fields.setdefault("working_dir", "/proj")
    fields.setdefault("files", ["/proj/compose.yaml"])
    return Project(services={s.name: s for s in services}, **fields)


def run(*services: Service, options: TranslateOptions | None = None, **fields: Any) -> Bundle:
    return translate(project(*services, **fields), options or TranslateOptions())


def obj(bundle: Bundle, kind: str, name: str) -> dict[str, Any]:
    for o in bundle.objects:
        if o.kind == kind and o.name == name:
            return o.body
    raise AssertionError(f"no {kind}/{name} in {[(o.kind, o.name) for o in bundle.objects]}")


def has(bundle: Bundle, kind: str, name: str) -> bool:
    return any(o.kind == kind and o.name == name for o in bundle.objects)


def pod(bundle: Bundle, kind: str, name: str) -> dict[str, Any]:
    return obj(bundle, kind, name)["spec"]["template"]["spec"]


def main(bundle: Bundle, kind: str = "Deployment", name: str = "app") -> dict[str, Any]:
    return pod(bundle, kind, name)["containers"][0]


def traces(bundle: Bundle, source: str) -> list[Any]:
    return [e for e in bundle.trace if e.source == source]


def codes(bundle: Bundle) -> list[str]:
    return [f.code for f in bundle.findings]


