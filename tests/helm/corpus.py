"""The projects the chart tests run over: every compose file of the shared corpus's INDEX.json
(tests/corpus decides which must fail to load; those are left out), every `ok` setup of
corpus/realworld/INDEX.json loaded the way that index says (files in -f order, env files,
profiles, env_copies in a scratch copy, exported variables), and the golden fixtures of
tests/golden with their options (namespace, network policies, env files, profiles)."""

from __future__ import annotations

import fnmatch
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from converter.errors import KubemapError
from converter.load import LoadOptions, load_project
from converter.model import Bundle
from converter.translate import TranslateOptions, translate
from tests.corpus.test_corpus_convert import CORPUS, LEGACY_V1, MUST_FAIL, NOT_STANDALONE

import yaml

REALWORLD = CORPUS / "realworld"
GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@dataclass(frozen=True)
class CorpusProject:
    name: str  # test id
    folder: Path | None  # realworld: the folder to copy into a scratch place (for env_copies)
    files: list[str]  # relative to the (copied) root
    env_files: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    environ: dict[str, str] = field(default_factory=dict)
    env_copies: dict[str, str] = field(default_factory=dict)
    root: Path = CORPUS  # what `files` are relative to (when not copied)
    namespace: str | None = None
    network_policies: bool = False


def projects() -> list[CorpusProject]:
    found: list[CorpusProject] = []
    index = CORPUS / "INDEX.json"
    if index.is_file():
        for entry in json.loads(index.read_text()):
            name = entry["file"]
            if name in LEGACY_V1 or any(fnmatch.fnmatch(name, p) for p in MUST_FAIL):
                continue
            found.append(CorpusProject(name=name, folder=None, files=[name]))
    realworld = REALWORLD / "INDEX.json"
    if realworld.is_file():
        for entry in json.loads(realworld.read_text()):
            if entry["expect"] != "ok":
                continue
            found.append(CorpusProject(
                name=f"realworld/{entry['folder']}:{entry['setup']}", folder=REALWORLD / entry["folder"],
                files=entry["files"], env_files=entry["env_files"], profiles=entry["profiles"],
                environ=dict(entry["env"]), env_copies=dict(entry["env_copies"])))
    for compose in sorted(GOLDEN.glob("*/compose.yaml")):
        options_file = compose.parent / "options.yaml"
        options = (yaml.safe_load(options_file.read_text()) or {}) if options_file.is_file() else {}
        feature = compose.parent.name
        found.append(CorpusProject(
            name=f"golden/{feature}", folder=None, root=GOLDEN, files=[f"{feature}/compose.yaml"],
            env_files=[f"{feature}/{f}" for f in options.get("env_files", [])],
            profiles=list(options.get("profiles", [])), namespace=options.get("namespace"),
            network_policies=bool(options.get("network_policies", False))))
    return found


def load(project: CorpusProject, scratch: Path) -> tuple[Bundle, str] | None:
    """The project's Bundle and project directory; None for a fragment that does not load
    alone (tests/corpus accepts a clear error for those)."""
    root = project.root
    if project.folder is not None:
        root = scratch / "realworld"
        shutil.copytree(project.folder, root / project.folder.name, symlinks=True)
        for source, target in project.env_copies.items():
            shutil.copyfile(root / source, root / target)
    files = [str(root / f) for f in project.files]
    options = LoadOptions(files=files, env_files=[str(root / f) for f in project.env_files],
                          profiles=list(project.profiles), environ=dict(project.environ),
                          use_shell_env=bool(project.environ),  # the variables the index says to export
                          cwd=str(Path(files[0]).parent))
    try:
        loaded = load_project(options)
        options = TranslateOptions(namespace=project.namespace, network_policies=project.network_policies)
        return translate(loaded, options), loaded.working_dir
    except KubemapError:
        if project.name in NOT_STANDALONE:
            return None
        raise
