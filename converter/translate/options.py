"""What decides how a loaded project is translated (the convert flags that change the objects)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TranslateOptions:
    namespace: str | None = None  # put every object in it, and add the Namespace object
    network_policies: bool = False  # --network-policies
    default_pvc_size: str = "1Gi"
    strict: bool = False  # unsupported keys or unset variables → TranslateError (CLI exit 2)
    # nodePorts when the project's x-kubemap.node_ports does not say: auto, or fixed (kubemap up
    # on kind, where localhost:<host port> must reach them through kind's port mappings)
    node_ports: str = "auto"
    # --registry: services with `build:` run their image from this registry (R-IMAGE-01/02)
    registry: str | None = None
