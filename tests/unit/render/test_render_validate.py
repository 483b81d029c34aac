"""Our cached validator gives the same verdict as kubernetes_validate.validate(strict=True)."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest
from render_bundles import config_map, deployment, pvc, service

from converter.errors import RenderError
from converter.render import newest_kube_version, validate_object


def _broken(body: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


CASES = {
    "valid deployment": deployment("api"),
    "valid service": service("api"),
    "valid configmap": config_map("c", {"a": "b"}),
    "valid pvc": pvc("data"),
    "port as string": _broken(deployment("api"), ["spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"], "80"),
    "unknown container field": _broken(deployment("api"), ["spec", "template", "spec", "containers", 0, "shell"], "sh"),
    "configmap data not a string": _broken(config_map("c", {}), ["data", "n"], 1),
    "service port missing": _broken(service("api"), ["spec", "ports", 0], {"name": "x"}),
    "unknown top-level field": _broken(pvc("data"), ["status2"], {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_agrees_with_kubernetes_validate(name: str) -> None:
    body = CASES[name]
    try:
        kubernetes_validate.validate(body, newest_kube_version(), strict=True)
        reference_valid = True
    except kubernetes_validate.ValidationError:
        reference_valid = False
    try:
        validate_object(body, newest_kube_version())
        ours_valid = True
    except RenderError:
        ours_valid = False
    assert ours_valid == reference_valid
    assert ours_valid == name.startswith("valid")


def _golden_objects() -> list[dict[str, Any]]:
    import yaml
    from pathlib import Path

    golden = Path(__file__).resolve().parents[2] / "golden"
    objects = []
    for path in sorted(golden.glob("*/expected/*.yaml")):
        if path.name in ("findings.yaml", "error.yaml", "kustomization.yaml", "kind-config.yaml"):
            continue
        objects.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return objects


def _mutated(body: dict[str, Any]) -> dict[str, Any]:
    """The same object with an unknown field deep inside (the pod spec's first container when
    there is one), which strict validation must reject."""
    body = copy.deepcopy(body)
    spec = body.get("spec") or {}
    pod = (spec.get("jobTemplate", {}).get("spec", spec)).get("template", {}).get("spec") if "template" in spec or "jobTemplate" in spec else None
    if pod and pod.get("containers"):
        pod["containers"][0]["notAField"] = True
    else:
        body.setdefault("metadata", {})["notAField"] = True
    return body


def test_agrees_with_kubernetes_validate_on_every_golden_object_and_a_broken_copy() -> None:
    objects = _golden_objects()
    assert len(objects) > 50, "the golden outputs are missing"
    version = newest_kube_version()
    for body in objects:
        for candidate, want_valid in ((body, True), (_mutated(body), False)):
            label = f"{candidate['kind']}/{candidate['metadata']['name']} (valid={want_valid})"
            try:
                kubernetes_validate.validate(candidate, version, strict=True)
                reference = True
            except kubernetes_validate.ValidationError:
                reference = False
            try:
                validate_object(candidate, version)
                ours = True
            except RenderError:
                ours = False
            assert (ours, reference) == (want_valid, want_valid), label
