"""Write rendered files into an output directory without ever leaving it half-written.

Everything is rendered and validated in memory first (render.py). Then:
1. refuse if a file we would write exists and was not written by kubemap (it is the user's);
2. write all files into a temporary directory next to the output directory and fsync them;
3. if the output directory does not exist, rename the temporary directory into place (atomic);
   otherwise move each file into place with os.replace (atomic per file) and remove stale files
   that kubemap wrote in an earlier run (recognised by the header, or listed in the earlier
   kubemap kustomization.yaml). Files kubemap did not write are left alone.

A Helm chart (`chart=True`) has files in subdirectories (templates/) and files that cannot start
with a YAML comment (README.md, values.schema.json): its files are recognised by the chart
header (`re-run kubemap convert --format helm`) in their first lines, anywhere below out_dir.
Manifests and charts never take each other's files for their own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from converter.errors import RenderError
from converter.render.layout import KUSTOMIZATION
from converter.render.serialize import CHART_MARK, HEADER_PREFIX, is_generated


@dataclass(frozen=True)
class WriteResult:
    written: list[str]  # relative names, sorted
    removed: list[str]  # stale kubemap files removed, sorted


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return ""


def _starts_with_header(path: Path) -> bool:
    return is_generated(_head(path))


def _is_chart_file(path: Path) -> bool:
    first_lines = "\n".join(_head(path).split("\n")[:3])
    return HEADER_PREFIX.removeprefix("# ") in first_lines and CHART_MARK in first_lines


def _previous_chart_outputs(out_dir: Path) -> set[str]:
    return {p.relative_to(out_dir).as_posix() for p in sorted(out_dir.rglob("*"))
            if p.is_file() and not p.is_symlink() and _is_chart_file(p)}


def _previous_outputs(out_dir: Path) -> set[str]:
    """Names of files a previous kubemap run wrote in out_dir."""
    names = {p.name for p in out_dir.iterdir() if p.is_file() and _starts_with_header(p)}
    kustomization = out_dir / KUSTOMIZATION
    if kustomization.name in names:
        # JSON manifests cannot carry a comment header; the old kustomization lists them.
        try:
            listed = (yaml.safe_load(kustomization.read_text(encoding="utf-8")) or {}).get("resources") or []
        except (OSError, yaml.YAMLError, AttributeError):
            listed = []
        names.update(
            str(n) for n in listed
            if isinstance(n, str) and "/" not in n and (out_dir / n).is_file()
        )
    return names


def _write_synced(path: Path, content: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def write_output(files: dict[str, bytes], out_dir: Path, *, chart: bool = False) -> WriteResult:
    """Put `files` (relative name → bytes; `/`-separated paths for a chart) into out_dir, as
    described in the module docstring."""
    if out_dir.exists() and not out_dir.is_dir():
        raise RenderError(f"{out_dir} exists and is not a directory", hint="choose another -o/--output-dir")
    finder = _previous_chart_outputs if chart else _previous_outputs
    previous = finder(out_dir) if out_dir.is_dir() else set()
    for name in sorted(files):
        target = out_dir / name
        if target.exists() and name not in previous:
            raise RenderError(
                f"{target} exists and was not written by kubemap; refusing to overwrite it",
                hint="move it away, or choose another -o/--output-dir",
            )
    stale = sorted(previous - set(files))

    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        temp_dir = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.kubemap-", dir=out_dir.parent))
    except OSError as error:
        raise RenderError(f"cannot create {out_dir}: {error.strerror or error}") from error
    try:
        for name, content in files.items():
            if chart:  # a chart has templates/; manifests are one flat folder
                (temp_dir / name).parent.mkdir(parents=True, exist_ok=True)
            _write_synced(temp_dir / name, content)
        if not out_dir.exists():
            umask = os.umask(0)
            os.umask(umask)
            temp_dir.chmod(0o777 & ~umask)  # mkdtemp makes it 0700
            temp_dir.rename(out_dir)
        else:
            for name in files:
                if chart:
                    (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp_dir / name, out_dir / name)
            for name in stale:
                (out_dir / name).unlink(missing_ok=True)
                _remove_empty_parents(out_dir / name, out_dir)
    except OSError as error:
        raise RenderError(f"cannot write {out_dir}: {error.strerror or error}") from error
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    return WriteResult(written=sorted(files), removed=stale)


def _remove_empty_parents(path: Path, top: Path) -> None:
    """Remove the folders a removed file leaves empty (a chart's templates/), up to `top`."""
    parent = path.parent
    while parent != top and top in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent
