"""converter/up/images.py: which images a project needs, and names as containerd spells them."""

from __future__ import annotations

import pytest

from converter.up.images import BuildPlan, compose_args, images_of, normalize

NAMES = [
    ("redis:7.0-bookworm", "docker.io/library/redis:7.0-bookworm"),
    ("agents-gateway", "docker.io/library/agents-gateway:latest"),
    ("kubemap/kind-node:v1.34.4", "docker.io/kubemap/kind-node:v1.34.4"),
    ("registry.local/app:1", "registry.local/app:1"),
    ("registry.local:5000/team/app", "registry.local:5000/team/app:latest"),
    ("localhost/kubemap/kind-node:v1", "localhost/kubemap/kind-node:v1"),
    ("docker.io/library/redis:7", "docker.io/library/redis:7"),
    ("redis@sha256:abc", "docker.io/library/redis@sha256:abc"),
]


@pytest.mark.parametrize(("name", "expected"), NAMES)
def test_normalize_spells_out_registry_path_and_tag(name: str, expected: str) -> None:
    assert normalize(name) == expected


def test_images_of_covers_init_containers_and_every_pod_template_kind() -> None:
    def template(*images: str, init: str | None = None) -> dict:
        spec = {"containers": [{"name": f"c{i}", "image": image} for i, image in enumerate(images)]}
        if init:
            spec["initContainers"] = [{"name": "wait", "image": init}]
        return {"template": {"spec": spec}}

    objects = [
        {"kind": "Deployment", "spec": template("app:1", init="wait:1")},
        {"kind": "StatefulSet", "spec": template("db:15")},
        {"kind": "Job", "spec": template("app:1")},
        {"kind": "CronJob", "spec": {"jobTemplate": {"spec": template("cron:2")}}},
        {"kind": "ConfigMap", "data": {"image": "not-an-image"}},
    ]
    assert images_of(objects) == ["app:1", "cron:2", "db:15", "wait:1"]


def test_compose_sees_the_project_as_kubemap_loaded_it() -> None:
    plan = BuildPlan(project_name="agents", project_directory="/p", files=["/p/compose.yaml", "/p/ci.yaml"],
                     env_files=["/p/.env.example"], profiles=["load"], services=["api"], images=["agents-api:latest"])
    assert compose_args(plan) == ["-p", "agents", "--project-directory", "/p", "-f", "/p/compose.yaml",
                                  "-f", "/p/ci.yaml", "--env-file", "/p/.env.example", "--profile", "load"]
