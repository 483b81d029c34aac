"""Fixtures: a small hand-built Bundle, so render is tested without the loader or translator."""

from __future__ import annotations

import pytest
from render_bundles import config_map, deployment, make_bundle, pvc, service

from converter.model import Bundle, ManifestObject


@pytest.fixture
def shop_objects() -> list[ManifestObject]:
    return [
        ManifestObject(service="web", body=deployment("web")),
        ManifestObject(service="api", body=deployment("api", "shop-api:latest")),
        ManifestObject(service="api", body=service("api", 8000)),
        ManifestObject(service="api", body=config_map("api-env", {"MODE": "prod", "SCRIPT": "a\nb\n"})),
        ManifestObject(service=None, body=pvc("shared-data")),
        ManifestObject(service="web", body=service("web")),
    ]


@pytest.fixture
def shop_bundle(shop_objects: list[ManifestObject]) -> Bundle:
    return make_bundle(
        shop_objects,
        host_ports=[{"service": "web", "host_port": 8080, "node_port": 30080, "protocol": "tcp"}],
    )
