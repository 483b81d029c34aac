"""Top-level networks, volumes, secrets and configs -> models."""

from __future__ import annotations

from typing import Any

from converter.load.normalize import _bool, _labels, _plain
from converter.load.units import compose_string
from converter.model.project import FileObject, Network, Service, Volume


def _split(spec: Any, known: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = _plain(spec or {})
    other = {k: v for k, v in spec.items() if k not in known and not k.startswith("x-")}
    extensions = {k: v for k, v in spec.items() if k.startswith("x-")}
    return other, extensions


def _external(spec: dict[str, Any], other: dict[str, Any]) -> bool:
    external = spec.get("external")
    if isinstance(external, dict):  # legacy `external: {name: x}`
        if external.get("name"):
            other["name"] = external["name"]
        return True
    return _bool(external) if external is not None else False


def build_networks(tree: Any, services: dict[str, Service]) -> dict[str, Network]:
    out: dict[str, Network] = {}
    declared = tree.get("networks") or {}
    for name, spec in declared.items():
        spec = spec or {}
        other, extensions = _split(spec, {"external", "internal", "driver", "labels"})
        if isinstance(other.get("driver_opts"), dict):
            other["driver_opts"] = {str(k): compose_string(v)
                                    for k, v in other["driver_opts"].items()}
        out[str(name)] = Network(
            name=str(name),
            external=_external(spec, other),
            internal=_bool(spec.get("internal", False)),
            driver=spec.get("driver"),
            labels=_labels(spec.get("labels")),
            other=other,
            extensions=extensions,
        )
    if "default" not in out and any("default" in s.networks for s in services.values()):
        out["default"] = Network(name="default")
    return out


def build_volumes(tree: Any) -> dict[str, Volume]:
    out: dict[str, Volume] = {}
    for name, spec in (tree.get("volumes") or {}).items():
        spec = spec or {}
        other, extensions = _split(spec, {"external", "driver", "driver_opts", "labels"})
        external = _external(spec, other)
        out[str(name)] = Volume(
            name=str(name),
            external=external,
            driver=spec.get("driver"),
            driver_opts={str(k): str(v) for k, v in (spec.get("driver_opts") or {}).items()},
            labels=_labels(spec.get("labels")),
            extensions=extensions,
            other=other,
        )
    return out


def build_file_objects(
    tree: Any, kind: str, env: dict[str, str], warnings: list[str]
) -> dict[str, FileObject]:
    out: dict[str, FileObject] = {}
    for name, spec in (tree.get(kind) or {}).items():
        spec = spec or {}
        other, extensions = _split(
            spec, {"file", "environment", "content", "external", "labels"})
        variable = spec.get("environment")
        if variable and str(variable) not in env:
            warnings.append(f"{kind}.{name} reads the variable {variable}, which is not set "
                            "(set it in .env / --env-file, or pass --use-shell-env)")
        out[str(name)] = FileObject(
            name=str(name),
            file=spec.get("file"),
            environment=variable,
            content=spec.get("content"),
            environment_value=env.get(str(variable)) if variable else None,
            external=_external(spec, other),
            labels=_labels(spec.get("labels")),
            other=other,
            extensions=extensions,
        )
    return out
