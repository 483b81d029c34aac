"""Load a setup of ../shared/corpus/realworld the way its INDEX.json says: copy its folder to a
scratch directory, make the env-file copies, then load its files with its env files, profiles and
exported variables (realworld/README.md, "Using INDEX.json")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from converter.load import LoadOptions

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT.parent / "shared" / "corpus" / "realworld"


def setups() -> list[dict[str, Any]]:
    index = REALWORLD / "INDEX.json"
    assert index.is_file(), f"the shared corpus is missing at {REALWORLD}"
    return [e for e in json.loads(index.read_text()) if e["expect"] == "ok"]


def largest_setup() -> dict[str, Any]:
    """The setup with the most services (as compose-go loads it); ties by folder and setup name."""
    return min(setups(), key=lambda e: (-len(e["compose_go_v2_16_1"].get("services", [])), e["folder"], e["setup"]))


def load_options(entry: dict[str, Any], scratch: Path) -> LoadOptions:
    folder = scratch / entry["folder"]
    if not folder.exists():
        shutil.copytree(REALWORLD / entry["folder"], folder)
    for source, target in entry["env_copies"].items():
        shutil.copyfile(scratch / source, scratch / target)
    project_dir = scratch / entry["project_dir"]
    return LoadOptions(files=[str(scratch / f) for f in entry["files"]],
                       env_files=[str(scratch / f) for f in entry["env_files"]],
                       profiles=list(entry["profiles"]), environ=dict(entry["env"]), cwd=str(project_dir))
