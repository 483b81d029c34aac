"""Docker Compose v5 as the reference for `kubemap config`: the cases, how each side is run, and
the normalisation that removes representation only.

Cases (`cases()`):
- every compose file of the shared corpus (`INDEX.json`, plus compose-go's `remote/` fixtures),
  alone with `-f`, run in its own directory (so its `.env` applies, as for a user);
- the corpus READMEs' combinations: Kompose's etherpad/gitlab/buildargs with their `envs` file
  ("export $(cat envs)"), Kompose's multi-file test (`_harness/test_map.json`), and the override
  fragments with their base;
- every setup of `realworld/INDEX.json` (files, env files, exported variables, profiles, and the
  `env_copies` made in a scratch copy of the project first);
- default discovery (no `-f`) in every corpus folder that has an override file next to its
  compose file;
- our own small projects (compose_cases/) and the bundled stack (compose/compose.yaml).

Both sides run in the same clean environment: PATH, a fixed HOME, and the case's variables; no
inherited COMPOSE_* or shell variables. Compose always interpolates from its process environment;
kubemap gets the same variables with --use-shell-env. Compose is run as the plugin binary that
scripts/build-compose.sh builds (`docker compose` is that binary), kubemap in this process
through the very function `kubemap config --format json` prints (`test_cli_prints_the_same`
checks the CLI on a sample).

Normalisation (`normalise`), representation only, applied to both sides:
- key order (JSON objects compare as dicts);
- numbers vs their decimal text (`"1000"` vs `1000`, `0.5` vs `"0.5"`), booleans vs "true"/"false";
- empty values written by one side and omitted by the other (`{}`, `[]`, `null`, `""`);
- one value written two ways: file modes in octal text (`"0440"`) or as a number (288); a
  single-number ulimit (`nproc: 65535`) or `{soft: 65535, hard: 65535}`; a device request's
  `count: all` or -1 (how compose-go stores it); a `build.ssh` entry as `id=path` or `id: path`
  (Compose's YAML output, used when its JSON output fails on an ssh key);
- defaults one side writes and the other leaves implicit: `depends_on.*.restart: false`,
  `volumes[].bind.create_host_path: true` (compose-go's OptOut type, omitted when true),
  networks' `ipam: {}`;
- lists whose order carries no meaning in Compose's model (sets/maps written as lists):
  `extra_hosts`, `dns_opt`, `security_opt`, `cap_add`, `cap_drop`, `expose`, `profiles`,
  `external_links`, `device_cgroup_rules`, `build.tags`, `build.platforms`, `build.cache_from`,
  `build.cache_to`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
REALWORLD = CORPUS / "realworld"
# Small projects of our own, one per rule the corpus shows too rarely (implied depends_on, merges
# of a string with a list, anchors used twice, ...): load/<name>/ loads (default files, so
# compose.override.yaml and .env apply), refuse/<name>.yaml must be refused by both.
OWN_CASES = Path(__file__).resolve().parent / "compose_cases"
# A HOME nobody has: `~` expands to it on both sides, and Compose finds no docker config there.
FAKE_HOME = "/home/kubemap-reference"

COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = ("compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml",
                  "docker-compose.override.yml")

# The kompose READMEs run these with `export $(cat envs)`.
ENV_FILE_SETUPS = {
    "kompose/etherpad/docker-compose.yml": "kompose/etherpad/envs",
    "kompose/etherpad/docker-compose-no-ports.yml": "kompose/etherpad/envs",
    "kompose/gitlab/docker-compose.yml": "kompose/gitlab/envs",
    "kompose/buildargs/compose.yaml": "kompose/buildargs/envs",
}
# Override fragments and their base (compose files that only make sense on top of another).
OVERLAYS = {
    "docker-compose-e2e/fixtures/publish/oci/compose-override.yaml":
        "docker-compose-e2e/fixtures/publish/oci/compose.yaml",
    "kompose/unused/merge-multiple-compose/compose-new-service-prob.yml":
        "kompose/unused/merge-multiple-compose/compose-port-base.yml",
    "kompose/unused/merge-multiple-compose/compose-port-prod.yml":
        "kompose/unused/merge-multiple-compose/compose-port-base.yml",
    "kompose/unused/merge-multiple-compose/dev.yml": "kompose/unused/merge-multiple-compose/base.yml",
}


@dataclass(frozen=True)
class Case:
    """One way to load a project. Paths are relative to the corpus (or to its scratch copy)."""

    id: str
    project_dir: str  # the working directory of both commands
    files: tuple[str, ...] = ()  # empty: default discovery in project_dir
    env_files: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    copies: tuple[tuple[str, str], ...] = ()  # realworld env_copies: src -> dst before loading
    copy_folder: str | None = None  # the folder to copy to scratch space when copies are made
    base: str = "corpus"  # what the paths are relative to: the shared corpus, "own" (OWN_CASES)
    # or "repo" (the bundled stack in compose/)


@dataclass
class Outcome:
    """What one side did: the parsed JSON, or the error text."""

    data: dict[str, Any] | None = None
    error: str | None = None
    error_file: str | None = None  # the file kubemap's error names
    error_line: int | None = None  # and its line
    error_hint: str | None = None  # and what to do

    @property
    def refused(self) -> bool:
        return self.data is None


@dataclass
class Comparison:
    case: Case
    compose: Outcome
    kubemap: Outcome
    differences: list[tuple[str, Any, Any]] = field(default_factory=list)


# ---------------------------------------------------------------- cases


def _corpus_files() -> list[str]:
    files = {entry["file"] for entry in json.loads((CORPUS / "INDEX.json").read_text())}
    remote = CORPUS / "compose-go/loader/testdata/remote"
    files.update(str(p.relative_to(CORPUS)) for p in remote.rglob("*.yaml"))
    return sorted(files)


def _parent(rel: str) -> str:
    return str(Path(rel).parent)


def own_cases() -> list[Case]:
    out = [Case(id=f"compose_cases/load/{d.name}/", project_dir=f"load/{d.name}", base="own")
           for d in sorted((OWN_CASES / "load").iterdir()) if d.is_dir()]
    out += [Case(id=f"compose_cases/refuse/{f.name}", project_dir="refuse",
                 files=(f"refuse/{f.name}",), base="own")
            for f in sorted((OWN_CASES / "refuse").glob("*.yaml"))]
    # The bundled stack, as `make stack-up` and `make k8s` load it.
    out += [Case(id="compose/compose.yaml (the stack)", project_dir="compose",
                 files=("compose/compose.yaml",), base="repo"),
            Case(id="compose/compose.yaml --env-file .env.example --profile load",
                 project_dir="compose", files=("compose/compose.yaml",),
                 env_files=("compose/.env.example",), profiles=("load",), base="repo")]
    return out


def cases() -> list[Case]:
    out: list[Case] = own_cases()
    for rel in _corpus_files():
        out.append(Case(id=rel, project_dir=_parent(rel), files=(rel,)))
    for rel, env_file in ENV_FILE_SETUPS.items():
        out.append(Case(id=f"{rel} --env-file {Path(env_file).name}", project_dir=_parent(rel),
                        files=(rel,), env_files=(env_file,)))
    harness = json.loads((CORPUS / "kompose-expected/_harness/test_map.json").read_text())
    combos = {tuple(f"kompose/{i}" for i in t["inputs"]) for t in harness if len(t["inputs"]) > 1}
    combos |= {(base, fragment) for fragment, base in OVERLAYS.items()}
    for files in sorted(combos):
        out.append(Case(id=" + ".join(files), project_dir=_parent(files[0]), files=files))
    for folder in sorted({str(p.parent.relative_to(CORPUS)) for name in OVERRIDE_NAMES
                          for p in CORPUS.rglob(name)}):
        if any((CORPUS / folder / name).is_file() for name in COMPOSE_NAMES):
            out.append(Case(id=f"{folder}/ (default files)", project_dir=folder))
    for setup in json.loads((REALWORLD / "INDEX.json").read_text()):
        prefix = "realworld/"
        out.append(Case(
            id=f"realworld {setup['project']} {setup['setup']}",
            project_dir=prefix + setup["project_dir"],
            files=tuple(prefix + f for f in setup["files"]),
            env_files=tuple(prefix + f for f in setup["env_files"]),
            profiles=tuple(setup["profiles"]),
            env=tuple(sorted(setup["env"].items())),
            copies=tuple((prefix + s, prefix + d) for s, d in sorted(setup["env_copies"].items())),
            copy_folder=prefix + setup["folder"] if setup["env_copies"] else None,
        ))
    return out


def materialise(case: Case, scratch: Path) -> Path:
    """The root the case's paths are relative to: the corpus, or a scratch copy of the project
    folder with the env copies made (never the corpus itself: it is read-only input)."""
    if case.base == "own":
        return OWN_CASES
    if case.base == "repo":
        return REPO
    if not case.copy_folder:
        return CORPUS
    root = scratch / case.id.replace("/", "_").replace(" ", "_")
    if not root.exists():
        shutil.copytree(CORPUS / case.copy_folder, root / case.copy_folder, symlinks=True)
        for src, dst in case.copies:
            shutil.copyfile(CORPUS / src, root / dst)
    return root


def clean_environment(case: Case) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": FAKE_HOME}
    env.update(dict(case.env))
    return env


# ---------------------------------------------------------------- the two sides


def compose_command(binary: str, case: Case, root: Path) -> list[str]:
    args = [binary]
    for f in case.files:
        args += ["-f", str(root / f)]
    for e in case.env_files:
        args += ["--env-file", str(root / e)]
    for p in case.profiles:
        args += ["--profile", p]
    return [*args, "config", "--format", "json"]


def run_compose(binary: str, case: Case, root: Path) -> Outcome:
    proc = subprocess.run(compose_command(binary, case, root), cwd=root / case.project_dir,
                          env=clean_environment(case), capture_output=True, text=True,
                          timeout=120, check=False)
    if proc.returncode != 0 and "error calling MarshalJSON" in proc.stderr:
        # Compose loads the project but cannot write some values as JSON (an ssh key of
        # `build.ssh`); its YAML output is the same model.
        yaml_command = [*compose_command(binary, case, root)[:-1], "yaml"]
        proc = subprocess.run(yaml_command, cwd=root / case.project_dir,
                              env=clean_environment(case), capture_output=True, text=True,
                              timeout=120, check=False)
        if proc.returncode == 0:
            from converter.load.yaml_reader import plain, read_yaml

            return Outcome(data=plain(read_yaml(proc.stdout, "docker compose config")))
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if "level=warning" not in line]
        return Outcome(error="\n".join(lines).strip() or f"exit code {proc.returncode}")
    return Outcome(data=json.loads(proc.stdout))


def kubemap_options(case: Case, root: Path) -> Any:
    from converter.load import LoadOptions

    return LoadOptions(
        files=[str(root / f) for f in case.files],
        env_files=[str(root / e) for e in case.env_files],
        profiles=list(case.profiles),
        use_shell_env=True,
        environ=clean_environment(case),
        cwd=str(root / case.project_dir),
        read_host_paths=False,
    )


def run_kubemap(case: Case, root: Path) -> Outcome:
    from converter.cli.config_cmd import config_text
    from converter.errors import KubemapError
    from converter.load import load_project

    try:
        project = load_project(kubemap_options(case, root))
    except KubemapError as err:
        return Outcome(error=str(err), error_file=err.file, error_line=err.line,
                       error_hint=err.hint)
    return Outcome(data=json.loads(config_text(project, "json")))


def kubemap_cli_command(case: Case, root: Path, kubemap: str) -> list[str]:
    args = [kubemap, "config", "--format", "json", "--use-shell-env"]
    for f in case.files:
        args += ["-f", str(root / f)]
    for e in case.env_files:
        args += ["--env-file", str(root / e)]
    for p in case.profiles:
        args += ["--profile", p]
    return args


def compare_all(binary: str, all_cases: list[Case], scratch: Path, workers: int = 4
                ) -> list[Comparison]:
    """Compose runs as parallel subprocesses while kubemap loads the same cases here."""
    roots = [materialise(case, scratch) for case in all_cases]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        compose_runs = [pool.submit(run_compose, binary, c, r) for c, r in zip(all_cases, roots)]
        kubemap_runs = [run_kubemap(c, r) for c, r in zip(all_cases, roots)]
        out = []
        for case, future, mine in zip(all_cases, compose_runs, kubemap_runs):
            theirs = future.result()
            comparison = Comparison(case=case, compose=theirs, kubemap=mine)
            if theirs.data is not None and mine.data is not None:
                comparison.differences = list(diff(normalise(theirs.data), normalise(mine.data)))
            out.append(comparison)
    return out


# ---------------------------------------------------------------- normalisation

# Lists that stand for sets or maps in Compose's model: their order carries no meaning.
UNORDERED = {
    "extra_hosts", "dns_opt", "security_opt", "cap_add", "cap_drop", "expose", "profiles",
    "external_links", "device_cgroup_rules", "build.tags", "build.platforms", "build.cache_from",
    "build.cache_to",
}
# Defaults written by one side and implicit on the other: (key path pattern, default value).
IMPLICIT_DEFAULTS = {
    ("services.*.depends_on.*", "restart"): False,
    ("services.*.volumes[]", "bind.create_host_path"): True,
    ("networks.*", "ipam"): {},
}


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == [] or value == ""


def _scalar(value: Any) -> Any:
    """Numbers, booleans and their text compare equal: both become text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _representation(value: Any, path: str) -> Any:
    """One value written two ways that mean the same (see the module docstring)."""
    key = _service_key(path)
    if key in ("secrets[].mode", "configs[].mode") and isinstance(value, str) \
            and value.startswith("0"):
        return int(value, 8)  # Compose writes file modes in octal text
    if path.startswith("services.") and key.startswith("ulimits.") and key.count(".") == 1 \
            and not isinstance(value, dict):
        return {"soft": value, "hard": value}  # a single number is both limits
    if key == "build.ssh[]" and isinstance(value, str):
        ident, _, where = value.replace(": ", "=", 1).partition("=")
        return f"{ident}={where}" if where else ident  # `id: path` (Compose's YAML) or `id=path`
    if key == "deploy.resources.reservations.devices[].count" and value == "all":
        return -1  # compose-go stores `all` as -1
    return value


def normalise(data: Any, path: str = "") -> Any:
    data = _representation(data, path)
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            child = f"{path}.{key}" if path else str(key)
            value = normalise(value, child)
            if not _empty(value):
                out[str(key)] = value
        for (pattern, key), default in IMPLICIT_DEFAULTS.items():
            if _matches(path, pattern):
                head, _, tail = key.partition(".")
                if tail and isinstance(out.get(head), dict):
                    if out[head].get(tail) == _scalar(default) or (
                            _empty(default) and _empty(out[head].get(tail))):
                        out[head].pop(tail, None)
                        if not out[head]:
                            out.pop(head)
                elif not tail and (out.get(key) == _scalar(default) or (
                        _empty(default) and _empty(out.get(key)))):
                    out.pop(key, None)
        return out
    if isinstance(data, list):
        items = [normalise(v, f"{path}[]") for v in data]
        if _service_key(path) in UNORDERED:
            items = sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return items
    return _scalar(data)


def _service_key(path: str) -> str:
    """services.web.build.tags -> build.tags; services.web.expose -> expose."""
    parts = path.split(".")
    return ".".join(parts[2:]) if len(parts) > 2 and parts[0] == "services" else path


def _matches(path: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(path, pattern)


def diff(theirs: Any, mine: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(key path, Compose's value, kubemap's value) for every leaf that differs."""
    if isinstance(theirs, dict) and isinstance(mine, dict):
        for key in sorted(set(theirs) | set(mine)):
            child = f"{path}.{key}" if path else key
            if key not in theirs:
                yield child, "<absent>", mine[key]
            elif key not in mine:
                yield child, theirs[key], "<absent>"
            else:
                yield from diff(theirs[key], mine[key], child)
        return
    if isinstance(theirs, list) and isinstance(mine, list) and len(theirs) == len(mine):
        for index, (a, b) in enumerate(zip(theirs, mine)):
            yield from diff(a, b, f"{path}[{index}]")
        return
    if theirs != mine:
        yield path, theirs, mine
