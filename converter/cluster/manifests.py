"""Read rendered manifests from disk: a kustomization folder (its `resources`), a plain folder of
YAML/JSON files, or one file. Only what kubemap's own output uses is interpreted; a
kustomization that needs kustomize itself (patches, generators) is refused with a hint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from converter.cluster.objects import KubeObject, check_identity
from converter.errors import ClusterError

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Keys a kustomization may have that change nothing kubemap needs to reproduce.
_HARMLESS_KEYS = {"apiVersion", "kind", "resources", "namespace", "metadata"}
# Config files that sit next to manifests but are not cluster objects (kind's cluster config).
_NOT_OBJECTS = ("kind.x-k8s.io/", "kustomize.config.k8s.io/")


@dataclass(frozen=True)
class ManifestSet:
    objects: list[KubeObject]
    namespace: str | None  # from the kustomization's `namespace:`, if any


def read_manifests(path: Path) -> ManifestSet:
    if not path.exists():
        raise ClusterError(f"{path} does not exist", hint="pass the folder `kubemap convert` wrote (-o)")
    if path.is_file():
        return ManifestSet(_read_file(path), None)
    kustomization = next((path / n for n in KUSTOMIZATION_NAMES if (path / n).is_file()), None)
    if kustomization is None:
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
        return ManifestSet([o for f in files for o in _read_file(f)], None)
    return _read_kustomization(kustomization)


def _read_kustomization(file: Path) -> ManifestSet:
    spec = _load_documents(file)
    if len(spec) != 1 or not isinstance(spec[0], dict):
        raise ClusterError(f"{file}: expected one YAML mapping")
    config: dict[str, Any] = spec[0]
    unsupported = sorted(set(config) - _HARMLESS_KEYS)
    if unsupported:
        raise ClusterError(
            f"{file}: uses {', '.join(unsupported)}, which needs kustomize",
            hint="run `kubectl apply --server-side -k` instead, or apply kubemap's own output",
        )
    objects: list[KubeObject] = []
    for index, entry in enumerate(config.get("resources") or []):
        target = file.parent / str(entry)
        if "://" in str(entry) or not target.exists():
            raise ClusterError(f"{file}: resources[{index}] {entry!r} is not a file or folder next to it")
        objects += read_manifests(target).objects
    namespace = config.get("namespace")
    return ManifestSet(objects, str(namespace) if namespace else None)


def _read_file(file: Path) -> list[KubeObject]:
    objects: list[KubeObject] = []
    for index, doc in enumerate(_load_documents(file)):
        if doc is None:
            continue
        where = f"{file} (document {index + 1})"
        if not isinstance(doc, dict):
            raise ClusterError(f"{where}: expected a Kubernetes object, got {type(doc).__name__}")
        if str(doc.get("apiVersion", "")).startswith(_NOT_OBJECTS):
            continue
        items = doc.get("items") if doc.get("kind") == "List" else [doc]
        for item in items or []:
            check_identity(item, where)
            objects.append(item)
    return objects


def _load_documents(file: Path) -> list[Any]:
    try:
        # libyaml's loader when present: ten times faster on a big folder
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return list(yaml.load_all(file.read_text(encoding="utf-8"), Loader=loader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ClusterError(f"{file}{line}: not valid YAML ({getattr(error, 'problem', error)})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ClusterError(f"{file}: cannot be read ({error})") from None
