"""Look at the host paths a project refers to (bind sources, secret and config files) once, at
load time, so that the translator never touches the disk."""

from __future__ import annotations

import os
from typing import Any

from converter.model.project import HostPath

MAX_FILE_BYTES = 1024 * 1024  # contents are kept for files up to this size
MAX_DIR_FILES = 64  # directories are kept whole only when this small...
MAX_DIR_BYTES = 1024 * 1024  # ...in count and in total size


def inspect_paths(project_fields: dict[str, Any]) -> dict[str, HostPath]:
    paths: set[str] = set()
    for service in project_fields["services"].values():
        for mount in service.volumes:
            if mount.type == "bind" and mount.source:
                paths.add(mount.source)
    for kind in ("secrets", "configs"):
        for obj in project_fields[kind].values():
            if obj.file:
                paths.add(obj.file)
    return {path: inspect(path) for path in sorted(paths)}


def inspect(path: str) -> HostPath:
    try:
        if os.path.isfile(path):
            size = os.path.getsize(path)
            content = _read(path) if size <= MAX_FILE_BYTES else None
            return HostPath(path=path, kind="file", size=size, content=content)
        if os.path.isdir(path):
            return HostPath(path=path, kind="dir", entries=_small_dir(path))
        if os.path.lexists(path) or os.path.exists(path):
            return HostPath(path=path, kind="other")
    except OSError:
        return HostPath(path=path, kind="other")
    return HostPath(path=path, kind="missing")


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None


def _small_dir(path: str) -> dict[str, bytes] | None:
    """Every file under `path` (relative name -> content) when the tree is small, else None."""
    entries: dict[str, bytes] = {}
    total = 0
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            if not os.path.isfile(full):
                return None
            total += os.path.getsize(full)
            if len(entries) >= MAX_DIR_FILES or total > MAX_DIR_BYTES:
                return None
            content = _read(full)
            if content is None:
                return None
            entries[os.path.relpath(full, path)] = content
    return entries
