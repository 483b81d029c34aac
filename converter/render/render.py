"""Bundle → file contents (in memory). Nothing is written here; see write.py."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

from converter.errors import RenderError
from converter.model.bundle import Bundle
from converter.render import serialize
from converter.render.kind_config import kind_cluster_config
from converter.render.layout import (
    KIND_CONFIG,
    KUSTOMIZATION,
    SHARED_STEM,
    group_by_file,
)
from converter.render.validate import newest_kube_version, validate_all

OutputFormat = Literal["yaml", "json"]


@dataclass(frozen=True)
class RenderOptions:
    """format: "yaml" (one `---` stream per file) or "json" (one v1 List per file).
    kube_version: validate against this Kubernetes version's schemas (default: the newest
    kubernetes-validate ships). project_dir: source paths in headers are relative to it.
    (The namespace is translate's: the Bundle's objects are already in it.)"""

    format: OutputFormat = "yaml"
    kube_version: str = field(default_factory=newest_kube_version)
    project_dir: str | None = None


def relative_sources(bundle: Bundle, project_dir: str | None) -> list[str]:
    """The compose files as paths relative to the project directory, with `/` separators, so
    the output does not depend on where the project sits on the converting machine."""
    result = []
    for path in bundle.source_files:
        if project_dir and os.path.isabs(path):
            path = os.path.relpath(path, project_dir)
        result.append(path.replace(os.sep, "/"))
    return result


def _prepare(bundle: Bundle, options: RenderOptions) -> dict[str, list[dict[str, Any]]]:
    """Group, order and validate. Raises before any bytes exist if an object is invalid."""
    if options.format not in ("yaml", "json"):
        raise RenderError(f"unknown output format {options.format!r}", hint="use yaml or json")
    groups = group_by_file(bundle.objects)
    validate_all([body for bodies in groups.values() for body in bodies], options.kube_version)
    return groups


def render(bundle: Bundle, options: RenderOptions | None = None) -> dict[str, bytes]:
    """Bundle → {relative file name: content} for an output directory.

    `<service>.yaml` per service, `_shared.yaml` for objects of no service, `kustomization.yaml`
    listing them (sorted), and `kind-config.yaml` for the published host ports. With format
    "json" the manifest files are `<service>.json`, each one v1 List; kustomization.yaml and
    kind-config.yaml stay YAML (kustomize and kind read YAML)."""
    options = options or RenderOptions()
    groups = _prepare(bundle, options)
    head = serialize.header(relative_sources(bundle, options.project_dir))
    files: dict[str, bytes] = {}
    for stem, bodies in groups.items():
        if options.format == "json":
            files[f"{stem}.json"] = serialize.json_list(bodies).encode()
        else:
            files[f"{stem}.yaml"] = (head + serialize.yaml_documents(bodies)).encode()
    kustomization: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(files),
    }
    files[KUSTOMIZATION] = (head + serialize.yaml_mapping(kustomization)).encode()
    files[KIND_CONFIG] = (head + serialize.yaml_mapping(kind_cluster_config(bundle.host_ports))).encode()
    return dict(sorted(files.items()))


def render_stream(bundle: Bundle, options: RenderOptions | None = None) -> bytes:
    """Everything in one stream, for --stdout: YAML documents (shared objects first, then each
    service in name order) or one JSON v1 List. No kustomization or kind config."""
    options = options or RenderOptions()
    groups = _prepare(bundle, options)
    ordered = [*groups.get(SHARED_STEM, []), *(b for stem, bs in groups.items() if stem != SHARED_STEM for b in bs)]
    if options.format == "json":
        return serialize.json_list(ordered).encode()
    head = serialize.header(relative_sources(bundle, options.project_dir))
    return (head + serialize.yaml_documents(ordered)).encode()


