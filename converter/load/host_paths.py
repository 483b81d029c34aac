"""Host paths, the one place they are handled: how a path written in a compose file becomes a
host path (`HostPaths`), and what is at the ones a project refers to (bind sources, secret and
config files, the Dockerfiles of built services), looked at once, at load time, so that the
translator never touches the disk.

A written path becomes a host path as Compose makes it: relative to the directory of the file it
is written in, `~` as HOME (so `kubemap config` prints what `docker compose config` prints), an
absolute path as written. A `~` path names the home directory of whoever converts, so it is
recorded as written (`Project.home_paths`): it is never read, the translator maps it to no node
path and shows it as written, and the output stays the same on every machine.

kubemap reads nothing outside the project: its output must not depend on the converting machine
(`- /etc/hostname:/etc/nodename` must not put this machine's name into a ConfigMap), and reading
some host files never returns (`/proc/kmsg`). So:

- A path is part of the project when it lies in the project directory, or when the compose file
  wrote it as a relative path that climbs out of it (`../common/config.xml` ships with the
  compose files; it must not climb to `/`). Its root is the project directory, or the directory
  the relative path climbed to.
- Everything else is a host path: never opened, read or stat-ed. An absolute path is recorded as
  kind "outside" (the translator makes it a hostPath volume), a `~` path as kind "home".
- Inside the project, symlinks are resolved one component at a time with lstat/readlink, and a
  link whose target leaves the root makes the path "outside" too: its target is never looked at.
- Only regular files are opened (a FIFO or a device inside the project is reported, not read).
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any

from converter.model.project import HostPath

MAX_FILE_BYTES = 1024 * 1024  # contents are kept for files up to this size
MAX_DIR_FILES = 64  # directories are kept whole only when this small...
MAX_DIR_BYTES = 1024 * 1024  # ...in count and in total size
MAX_LINKS = 40  # symlinks followed for one path (as the kernel's ELOOP limit)


class HostPaths:
    """Makes the paths written in compose files host paths, and remembers how each was written:
    relative (part of the project, `inspect_paths` may read it) or with `~` (never read)."""

    def __init__(self, home: str | None) -> None:
        self.home = home  # HOME of the environment Compose would run in
        self.relative: set[str] = set()  # host paths that were written as relative paths
        self.from_home: dict[str, str] = {}  # host path -> as written (`~/...`)

    def absolute(self, path: str, base: str | None) -> str:
        """`path` as a host path: `~` expands to HOME, a relative path is joined to `base` (the
        directory of the file it is written in) and cleaned, an absolute or Windows path (or any
        path without a base) stays as written."""
        if path.startswith("~"):
            home = self.home or os.path.expanduser("~")
            result = os.path.normpath(os.path.join(home, path[1:].lstrip("/")))
            self.from_home[result] = path
            return result
        if path == "" or path.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", path) or base is None:
            return path
        result = os.path.normpath(os.path.join(base, path))
        self.relative.add(result)
        return result


def inspect_paths(project_fields: dict[str, Any], written: HostPaths) -> dict[str, HostPath]:
    """What is at every host path the project refers to, given how the compose files wrote them."""
    project_dir = os.path.normpath(project_fields["working_dir"])
    written_relative = set(written.relative)
    paths: set[str] = set()
    for service in project_fields["services"].values():
        for mount in service.volumes:
            if mount.type == "bind" and mount.source:
                paths.add(mount.source)
        dockerfile = service.build.dockerfile_path if service.build else None
        if dockerfile:
            paths.add(dockerfile)
            if _under(service.build.context, project_dir) or service.build.context in written_relative:
                written_relative.add(dockerfile)
    for kind in ("secrets", "configs"):
        for obj in project_fields[kind].values():
            if obj.file:
                paths.add(obj.file)
    return {path: HostPath(path=path, kind="home", host_path=written.from_home[path]) if path in written.from_home
            else inspect(path, project_root(path, project_dir, written_relative)) for path in sorted(paths)}


def project_root(path: str, project_dir: str, written_relative: set[str]) -> str | None:
    """The directory `path` may be resolved within, or None when it is a host path."""
    path = os.path.normpath(path)
    if _under(path, project_dir):
        return project_dir
    if path in written_relative:
        root = os.path.commonpath([project_dir, path])
        if root != os.path.dirname(root):  # climbing to `/` leaves every project
            return root
    return None


def inspect(path: str, root: str | None) -> HostPath:
    """Look at `path` without touching anything outside `root` (None: touch nothing)."""
    if root is None:
        return HostPath(path=path, kind="outside", host_path=path)
    state, real = _resolve(path, root)
    if state == "outside":
        return HostPath(path=path, kind="outside", host_path=real, note="a symlink leaves the project")
    if state == "missing":
        return HostPath(path=path, kind="missing")
    try:
        info = os.lstat(real)
    except OSError:
        return HostPath(path=path, kind="other")
    if stat.S_ISREG(info.st_mode):
        content = _read(real) if info.st_size <= MAX_FILE_BYTES else None
        return HostPath(path=path, kind="file", size=info.st_size, content=content)
    if stat.S_ISDIR(info.st_mode):
        entries, note = _small_dir(real, root)
        return HostPath(path=path, kind="dir", entries=entries, note=note)
    return HostPath(path=path, kind="other", note="not a regular file or directory")


def value_file(path: str, paths: HostPaths, project_dir: str) -> tuple[str, str]:
    """Where a file Compose reads for values (`env_file`, `label_file`) stands: ("file", path to
    read), ("missing", path) or ("outside", why). A `~` path, an absolute path outside the project
    and a symlink that leaves it are "outside": kubemap does not read them (same input, same bytes)."""
    if path in paths.from_home:
        return "outside", f"{paths.from_home[path]} names the home directory of whoever converts"
    root = project_root(path, project_dir, paths.relative)
    if root is None:
        return "outside", f"{path} is outside the project directory {project_dir}"
    state, real = _resolve(path, root)
    if state == "outside":
        return "outside", f"{path} is a symlink that leaves the project"
    if state == "missing" or not os.path.isfile(real):
        return "missing", path
    return "file", real


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _resolve(path: str, root: str) -> tuple[str, str]:
    """("ok" | "missing" | "outside", path): `path` with every symlink resolved, following a link
    only while its target stays under `root`. Nothing outside `root` is looked at."""
    pending = [p for p in os.path.relpath(os.path.normpath(path), root).split(os.sep) if p not in ("", ".")]
    current = root
    links = 0
    while pending:
        part = pending.pop(0)
        if part == "..":
            current = os.path.dirname(current)
            if not _under(current, root):
                return "outside", os.path.join(current, *pending)
            continue
        candidate = os.path.join(current, part)
        try:
            info = os.lstat(candidate)
        except FileNotFoundError:
            return "missing", os.path.join(candidate, *pending)
        except OSError:
            return "missing", os.path.join(candidate, *pending)
        if not stat.S_ISLNK(info.st_mode):
            current = candidate
            continue
        links += 1
        target = os.readlink(candidate)
        resolved = os.path.normpath(target if os.path.isabs(target) else os.path.join(current, target))
        if links > MAX_LINKS or not _under(resolved, root):
            return "outside", os.path.join(resolved, *pending)
        pending = [p for p in os.path.relpath(resolved, root).split(os.sep) if p not in ("", ".")] + pending
        current = root
    return "ok", current


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None


def _small_dir(path: str, root: str) -> tuple[dict[str, bytes] | None, str | None]:
    """Every file under `path` (relative name -> content) when the tree is small, else None and
    why. Links are followed only to regular files inside `root`."""
    entries: dict[str, bytes] = {}
    total = 0
    pending = [""]
    while pending:
        rel_dir = pending.pop(0)
        try:
            with os.scandir(os.path.join(path, rel_dir)) as listing:
                items = sorted(listing, key=lambda e: e.name)
        except OSError:
            return None, "cannot be listed"
        for item in items:
            rel = os.path.join(rel_dir, item.name) if rel_dir else item.name
            full = os.path.join(path, rel)
            if item.is_symlink():
                state, real = _resolve(full, root)
                if state != "ok":
                    return None, f"{rel} is a symlink that leaves the project" if state == "outside" \
                        else f"{rel} is a broken symlink"
            else:
                real = full
            try:
                info = os.lstat(real)
            except OSError:
                return None, f"{rel} cannot be read"
            if stat.S_ISDIR(info.st_mode) and real == full:
                pending.append(rel)
                continue
            if not stat.S_ISREG(info.st_mode):
                return None, f"{rel} is not a regular file"
            total += info.st_size
            if len(entries) >= MAX_DIR_FILES or total > MAX_DIR_BYTES:
                return None, f"more than {MAX_DIR_FILES} files or {MAX_DIR_BYTES} bytes"
            content = _read(real)
            if content is None:
                return None, f"{rel} cannot be read"
            entries[rel] = content
    return entries, None
