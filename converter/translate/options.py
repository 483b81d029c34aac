"""What decides how a loaded project is translated (the convert flags that change the objects)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TranslateOptions:
    namespace: str | None = None  # put every object in it, and add the Namespace object
    network_policies: bool = False  # --network-policies
    default_pvc_size: str = "1Gi"
    strict: bool = False  # unsupported keys or unset variables → TranslateError (CLI exit 2)
