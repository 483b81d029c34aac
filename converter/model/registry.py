"""Image registries: the one rule for what a built image is called in a registry, shared by
`kubemap convert --registry` (translate), `kubemap build --push` and `kubemap up --registry` (up).

A registry is `host[:port][/path]` (`127.0.0.1:5051`, `ghcr.io/acme`). A built image moves there
under its repository path without the registry it may already name: `agents-gateway:latest` →
`127.0.0.1:5051/agents-gateway:latest`, `ghcr.io/acme/web:1.2` → `REGISTRY/acme/web:1.2`.
"""

from __future__ import annotations

import re

from converter.errors import KubemapError

_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])"
_PATH = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = re.compile(rf"^{_HOST}(?::[0-9]{{1,5}})?(?:/{_PATH})*$")
LOOPBACK_HOSTS = ("localhost", "::1", "[::1]")


def check_registry(text: str) -> str:
    """The registry as given, or a KubemapError saying what is wrong with it."""
    value = text.strip().rstrip("/")
    if "://" in value:
        raise KubemapError(f"registry {text!r} must not have a scheme",
                           hint="give host[:port][/path], e.g. 127.0.0.1:5051 or ghcr.io/acme")
    if not _REGISTRY.match(value):
        raise KubemapError(f"registry {text!r} is not host[:port][/path]",
                           hint="e.g. 127.0.0.1:5051, localhost:5001 or ghcr.io/acme (path in lower case)")
    return value


def registry_host(registry: str) -> str:
    """`127.0.0.1:5051/team` → `127.0.0.1:5051` (what containerd's hosts.toml is named after)."""
    return registry.split("/", 1)[0]


def is_loopback(registry: str) -> bool:
    """Is the registry on the machine that pushes (`localhost`, `127.x.x.x`, `::1`)? A kind
    node cannot reach that address as it is: it needs a mirror to the host (docs/kind.md)."""
    host = registry_host(registry)
    host = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]", 1)[0] + "]"
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def repository_path(image: str) -> tuple[str, str]:
    """An image reference's repository path without its registry, and its tag (default latest):
    `ghcr.io/acme/web:1.2@sha256:…` → (`acme/web`, `1.2`); `redis` → (`redis`, `latest`)."""
    name = image.split("@", 1)[0]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        name = rest
    tag = "latest"
    if ":" in name.rsplit("/", 1)[-1]:
        name, tag = name.rsplit(":", 1)
    return name, tag


def registry_image(image: str, registry: str) -> str:
    """The name `image` gets in `registry`."""
    path, tag = repository_path(image)
    return f"{registry}/{path}:{tag}"
