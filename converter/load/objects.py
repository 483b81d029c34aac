"""Top-level networks, volumes, secrets and configs -> models."""

from __future__ import annotations

from typing import Any

from converter.errors import LoadError
from converter.load.problems import Problem, at
from converter.load.values import boolean, labels, plain
from converter.load.units import compose_string
from converter.load.yaml_reader import format_path, locate
from converter.model.project import FileObject, Network, Service, Volume


def _located(tree: Any, kind: str, name: Any, build: Any) -> Any:
    """Build one top-level object; a Problem becomes a LoadError at <kind>.<name>.<key>."""
    try:
        return build()
    except Problem as problem:
        path = [kind, name, *problem.path]
        pos = locate(tree, path)
        raise LoadError(problem.message, file=pos[0] if pos else None,
                        line=pos[1] if pos else None, key_path=format_path(path),
                        hint=problem.hint or "see https://docs.docker.com/reference/compose-file/"
                        ) from None


def _split(spec: Any, known: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = plain(spec or {})
    other = {k: v for k, v in spec.items() if k not in known and not k.startswith("x-")}
    extensions = {k: v for k, v in spec.items() if k.startswith("x-")}
    return other, extensions


def _external(spec: dict[str, Any], other: dict[str, Any]) -> bool:
    external = spec.get("external")
    if isinstance(external, dict):  # legacy `external: {name: x}`
        if external.get("name"):
            other["name"] = external["name"]
        return True
    return at(["external"], lambda: boolean(external)) if external is not None else False


def build_networks(tree: Any, services: dict[str, Service]) -> dict[str, Network]:
    out: dict[str, Network] = {}
    declared = tree.get("networks") or {}
    for name, spec in declared.items():
        out[str(name)] = _located(tree, "networks", name, lambda n=name, s=spec: _network(n, s))
    if "default" not in out and any("default" in s.networks for s in services.values()):
        out["default"] = Network(name="default")
    return out


def _network(name: Any, spec: Any) -> Network:
    spec = spec or {}
    other, extensions = _split(spec, {"external", "internal", "driver", "labels"})
    if isinstance(other.get("driver_opts"), dict):
        other["driver_opts"] = {str(k): compose_string(v) for k, v in other["driver_opts"].items()}
    return Network(
        name=str(name),
        external=_external(spec, other),
        internal=at(["internal"], lambda: boolean(spec.get("internal", False))),
        driver=spec.get("driver"),
        labels=labels(spec.get("labels")),
        other=other,
        extensions=extensions,
    )


def build_volumes(tree: Any) -> dict[str, Volume]:
    out: dict[str, Volume] = {}
    for name, spec in (tree.get("volumes") or {}).items():
        out[str(name)] = _located(tree, "volumes", name, lambda n=name, s=spec: _volume(n, s))
    return out


def _volume(name: Any, spec: Any) -> Volume:
    spec = spec or {}
    other, extensions = _split(spec, {"external", "driver", "driver_opts", "labels"})
    return Volume(
        name=str(name),
        external=_external(spec, other),
        driver=spec.get("driver"),
        driver_opts={str(k): compose_string(v) or "" for k, v in
                     (spec.get("driver_opts") or {}).items()},
        labels=labels(spec.get("labels")),
        extensions=extensions,
        other=other,
    )


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
        out[str(name)] = _located(tree, kind, name, lambda n=name, s=spec, o=other, x=extensions,
                                  v=variable: FileObject(
            name=str(n),
            file=s.get("file"),
            environment=v,
            content=s.get("content"),
            environment_value=env.get(str(v)) if v else None,
            external=_external(s, o),
            labels=labels(s.get("labels")),
            other=o,
            extensions=x,
        ))
    return out
