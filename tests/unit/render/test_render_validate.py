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
