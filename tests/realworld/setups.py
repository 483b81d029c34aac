"""The real-world setups of ../shared/corpus/realworld/INDEX.json and how each one is run:
which files go together, which env files, which profiles, which variables (see the corpus
README). A setup is converted in a scratch copy of its project folder, never in the corpus."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
INDEX = CORPUS / "INDEX.json"


@dataclass(frozen=True)
class Setup:
    entry: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.entry['project']}:{self.entry['setup']}"

    @property
    def namespace(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.entry['folder']}-{self.entry['setup']}".lower()).strip("-")
        return f"rw-{slug}"[:63].rstrip("-")

    @property
    def expect_ok(self) -> bool:
        return self.entry["expect"] == "ok"

    def prepare(self, scratch: Path) -> Path:
        """Copy the project folder into `scratch` and make the env copies upstream makes; returns
        the copy's root (the only place the conversion may read)."""
        root = scratch / self.entry["folder"]
        shutil.copytree(CORPUS / self.entry["folder"], root, symlinks=True)
        for source, target in sorted(self.entry["env_copies"].items()):
            shutil.copyfile(scratch / source, scratch / target)
        return root

    def convert_args(self, scratch: Path, out: Path) -> list[str]:
        args = ["convert", "-o", str(out)]
        for file in self.entry["files"]:
            args += ["-f", str(scratch / file)]
        for env_file in self.entry["env_files"]:
            args += ["--env-file", str(scratch / env_file)]
        for profile in self.entry["profiles"]:
            args += ["--profile", profile]
        if self.entry["env"]:
            args.append("--use-shell-env")  # the variables upstream exports (with dummy values)
        return args

    def environment(self) -> dict[str, str]:
        """The process environment of a conversion: only what the setup exports, so nothing of
        this machine's shell can leak into the output (HOME is a path that does not exist)."""
        return {"LANG": "C.UTF-8", "HOME": "/nonexistent-home", "PYTHONDONTWRITEBYTECODE": "1",
                **self.entry["env"]}

    def project_dir(self, scratch: Path) -> Path:
        return scratch / self.entry["project_dir"]


def setups() -> list[Setup]:
    assert INDEX.is_file(), f"the real-world corpus is missing at {CORPUS} (see ../shared/corpus/README.md)"
    return [Setup(entry) for entry in json.loads(INDEX.read_text())]
