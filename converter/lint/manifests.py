"""Read Kubernetes manifests for `kubemap lint`: YAML streams or JSON (a `v1 List` is opened),
from files, directories (their *.yaml, *.yml and *.json files, not recursive, as `kubectl apply
-f DIR`) or stdin (`-`). kustomization.yaml and kind's cluster config are not objects: skipped."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from converter.errors import KubemapError

SUFFIXES = (".yaml", ".yml", ".json")
NOT_OBJECTS = {("kustomize.config.k8s.io", "Kustomization"), ("kind.x-k8s.io", "Cluster")}


class ManifestError(KubemapError):
    """A manifest file could not be read or is not Kubernetes objects."""


def read_manifests(paths: list[str]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for name in paths:
        if name == "-":
            objects += _objects(sys.stdin.read(), "<stdin>")
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
            if not files:
                raise ManifestError(f"{path} holds no .yaml, .yml or .json files", hint="name the manifest files")
        elif path.is_file():
            files = [path]
        else:
            raise ManifestError(f"{path} does not exist", hint="give manifest files or a directory of them")
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise ManifestError(f"cannot read {file}: {error}") from None
            objects += _objects(text, str(file))
    return objects


def _objects(text: str, file: str) -> list[dict[str, Any]]:
    try:
        if file.endswith(".json") or text.lstrip().startswith("{"):
            docs = [json.loads(text)]
        else:
            docs = list(yaml.safe_load_all(text))
    except json.JSONDecodeError as error:
        raise ManifestError(f"invalid JSON: {error.msg}", file=file, line=error.lineno) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ManifestError(f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None,
                            hint="is it a template (Helm)? lint what it renders") from None
    out: list[dict[str, Any]] = []
    for index, doc in enumerate(docs):
        if doc is None:
            continue
        if not isinstance(doc, dict) or not doc.get("kind") or not doc.get("apiVersion"):
            raise ManifestError(f"document {index + 1} is not a Kubernetes object (no apiVersion and kind)",
                                file=file, hint="lint manifests, not compose files")
        group = str(doc["apiVersion"]).split("/")[0] if "/" in str(doc["apiVersion"]) else ""
        if (group, doc["kind"]) in NOT_OBJECTS:
            continue
        if str(doc["kind"]).endswith("List") and isinstance(doc.get("items"), list):
            out += [item for item in doc["items"] if isinstance(item, dict)]
        else:
            out.append(doc)
    return out
