"""Which object goes to which file, and in what order.

One file per compose service (`<service>.yaml`), the objects that belong to no service in
`_shared.yaml`. Inside a file objects are ordered by kind in the order a cluster needs them
(namespace, policies, config and storage before the workloads that use them), then by name, so
the order never depends on the order the translator produced them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from converter.errors import RenderError
from converter.model.bundle import ManifestObject
from converter.model.kube import kind_rank
from converter.render.validate import BUG_HINT

SHARED_STEM = "_shared"
KUSTOMIZATION = "kustomization.yaml"
KIND_CONFIG = "kind-config.yaml"
_RESERVED_STEMS = {SHARED_STEM, "kustomization", "kind-config"}


def object_sort_key(body: dict[str, Any]) -> tuple[int, str, str, str]:
    kind = str(body.get("kind", ""))
    metadata = body.get("metadata") or {}
    return (
        kind_rank(kind),
        kind,
        str(metadata.get("namespace", "")),
        str(metadata.get("name", "")),
    )


def file_stem(service: str | None) -> str:
    """`<service>` for a service's objects; a service whose name is one of kubemap's own file
    names gets a `-service` suffix so it cannot overwrite them."""
    if service is None:
        return SHARED_STEM
    return f"{service}-service" if service in _RESERVED_STEMS else service


def group_by_file(objects: Iterable[ManifestObject]) -> dict[str, list[dict[str, Any]]]:
    """File stem → that file's objects, sorted. Raises on duplicate objects (a translator bug)
    and on two services whose file names differ only in case (they would overwrite each other on
    case-insensitive file systems)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    owner_of_stem: dict[str, str | None] = {}
    seen: dict[tuple[str, str, str, str], str] = {}
    for obj in objects:
        stem = file_stem(obj.service)
        folded = stem.casefold()
        if folded in owner_of_stem and owner_of_stem[folded] != obj.service:
            raise RenderError(
                f"services {owner_of_stem[folded]!r} and {obj.service!r} would both be written to "
                f"{stem}.yaml on a case-insensitive file system",
                hint="rename one of the services",
            )
        owner_of_stem[folded] = obj.service
        api_version = str(obj.body.get("apiVersion", ""))
        identity = (
            api_version.rsplit("/", 1)[0] if "/" in api_version else "",  # API group
            obj.kind,
            str((obj.body.get("metadata") or {}).get("namespace", "")),
            obj.name,
        )
        if identity in seen:
            raise RenderError(
                f"bug: kubemap generated {obj.kind}/{obj.name} twice "
                f"(for {seen[identity]} and for {obj.service or 'the shared objects'})",
                hint=BUG_HINT,
            )
        seen[identity] = obj.service or "the shared objects"
        groups.setdefault(stem, []).append(obj.body)
    return {stem: sorted(bodies, key=object_sort_key) for stem, bodies in sorted(groups.items())}
