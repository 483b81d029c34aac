"""--registry (TranslateOptions.registry): built images are run from the registry, under the one
naming rule of converter/model/registry.py (R-IMAGE-01/02)."""

from __future__ import annotations

import pytest

from converter.errors import KubemapError
from converter.model import Build
from converter.model.registry import check_registry, is_loopback, registry_image, repository_path
from converter.translate import TranslateOptions

from .helpers import codes, main, run, service

REGISTRY = TranslateOptions(registry="127.0.0.1:5051")


def test_r_image_01_registry_names_built_images_there_with_if_not_present() -> None:
    bundle = run(service("api", build=Build(context=".")), service("db", image="postgres:16"), options=REGISTRY)
    api = main(bundle, name="api")
    assert (api["image"], api["imagePullPolicy"]) == ("127.0.0.1:5051/demo-api:latest", "IfNotPresent")
    assert main(bundle, "Deployment", "db")["image"] == "postgres:16"  # not built here: left alone
    assert [(b.service, b.local, b.deployed) for b in bundle.built_images] == [
        ("api", "demo-api:latest", "127.0.0.1:5051/demo-api:latest")]
    assert "KM-I-BUILD" in codes(bundle)
    assert any("kubemap build --push --registry 127.0.0.1:5051" in f.hint for f in bundle.findings)


def test_r_image_02_build_with_image_moves_to_the_registry_under_its_path() -> None:
    bundle = run(service("web", image="ghcr.io/acme/web:1.2", build=Build(context=".")), options=REGISTRY)
    assert main(bundle, name="web")["image"] == "127.0.0.1:5051/acme/web:1.2"
    [entry] = [e for e in bundle.trace if e.source == "services.web.image"]
    assert "--registry" in entry.reason


def test_without_registry_built_images_keep_compose_names() -> None:
    bundle = run(service("api", build=Build(context=".")))
    assert main(bundle, name="api")["image"] == "demo-api:latest"
    assert bundle.built_images[0].local == bundle.built_images[0].deployed


@pytest.mark.parametrize(("image", "path"), [
    ("redis", ("redis", "latest")), ("shop-api:latest", ("shop-api", "latest")),
    ("ghcr.io/acme/web:1.2", ("acme/web", "1.2")), ("localhost:5000/x:2", ("x", "2")),
    ("acme/web@sha256:abc", ("acme/web", "latest")),
])
def test_repository_path_drops_the_registry(image: str, path: tuple[str, str]) -> None:
    assert repository_path(image) == path


def test_registry_names_and_checks() -> None:
    assert registry_image("shop-api:latest", "ghcr.io/acme") == "ghcr.io/acme/shop-api:latest"
    assert check_registry(" 127.0.0.1:5051/ ") == "127.0.0.1:5051"
    for bad in ("http://127.0.0.1:5051", "Reg istry", "host:port", "ghcr.io/Acme"):
        with pytest.raises(KubemapError):
            check_registry(bad)
    assert is_loopback("127.0.0.1:5051") and is_loopback("localhost:5000/team") and not is_loopback("ghcr.io/acme")
