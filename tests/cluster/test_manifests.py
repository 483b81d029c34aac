"""Reading rendered manifest folders for `apply -k` / `diff -k` (no cluster needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.cluster import read_manifests
from converter.errors import ClusterError
from tests.cluster.objects import web_service, write_kustomization


def test_kustomization_resources_are_read_in_order_and_kind_config_is_ignored(tmp_path: Path) -> None:
    folder = write_kustomization(tmp_path / "k8s", web_service("shop", "api"))
    (folder / "kind-config.yaml").write_text("apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n")
    text = (folder / "kustomization.yaml").read_text() + "namespace: shop\n"
    (folder / "kustomization.yaml").write_text(text)
    manifests = read_manifests(folder)
    assert [o["kind"] for o in manifests.objects] == ["ConfigMap", "Deployment", "Service"]  # file order
    assert manifests.namespace == "shop"


def test_json_lists_are_flattened(tmp_path: Path) -> None:
    import json

    (tmp_path / "api.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List",
                                                   "items": web_service("shop", "api")}))
    assert len(read_manifests(tmp_path).objects) == 3


@pytest.mark.parametrize(
    ("kustomization", "fragment"),
    [
        ("resources: [a.yaml]\npatches: []\n", "uses patches, which needs kustomize"),
        ("resources: [missing.yaml]\n", "resources[0] 'missing.yaml' is not a file or folder"),
        ("resources: [a.yaml\n", "kustomization.yaml:2: not valid YAML"),
    ],
    ids=["patches", "missing-resource", "bad-yaml"],
)
def test_unusable_kustomizations_are_clear_errors(tmp_path: Path, kustomization: str, fragment: str) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "kustomization.yaml").write_text(kustomization)
    with pytest.raises(ClusterError) as raised:
        read_manifests(tmp_path)
    assert fragment in str(raised.value)


def test_an_object_without_a_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    with pytest.raises(ClusterError, match=r"a.yaml \(document 1\): ConfigMap has no metadata.name"):
        read_manifests(tmp_path / "a.yaml")
