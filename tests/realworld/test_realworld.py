"""Real projects, written by others (../shared/corpus/realworld, run as INDEX.json says): each
setup converts, deterministically, reading nothing outside its project folder; `kubemap lint`
finds nothing in the output; and all setups are applied one after another, each into its own
namespace, to one real API server, where every object is accepted. The results go to
artifacts/realworld.md (project, objects, findings by code, lint, apply, convert time)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from converter.cluster.resources import PRUNABLE_KINDS
from converter.lint import lint
from converter.lint.manifests import read_manifests
from converter.load import LoadOptions
from converter.pipeline import ConvertOptions, convert
from tests.realworld.setups import REPO, Setup, setups

HERE = Path(__file__).parent
CONVERT_TIMEOUT = 60  # a hang guard only (reading /proc/kmsg never returned); times go to the table
APPLY_TIMEOUT = 300
ARTIFACT = REPO / "artifacts" / "realworld.md"
SETUPS = setups()
LISTED_KINDS = ",".join(sorted({k.lower() for k in PRUNABLE_KINDS}))


@pytest.fixture(scope="module")
def table() -> Iterator[dict[str, dict[str, Any]]]:
    rows: dict[str, dict[str, Any]] = {}
    yield rows
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(_markdown(rows))


def _markdown(rows: dict[str, dict[str, Any]]) -> str:
    lines = ["# Real-world suite", "",
             f"{len(rows)} setups of {len({r['project'] for r in rows.values()})} projects from "
             "../shared/corpus/realworld (tests/realworld). Findings are `kubemap convert`'s, by code; lint is "
             "what `kubemap lint` finds in the output; apply is one shared API server, one namespace per setup. "
             "Convert time is one `kubemap convert` run under the audit hook on this machine (not asserted).", "",
             "| setup | objects | findings by code | lint | apply | convert s |", "|---|---:|---|---|---|---:|"]
    totals: Counter[str] = Counter()
    objects = applied = lint_clean = 0
    for name in sorted(rows):
        row = rows[name]
        codes: Counter[str] = row.get("codes", Counter())
        totals.update(codes)
        objects += row.get("objects", 0)
        applied += row.get("apply") == "ok"
        lint_clean += row.get("lint") == "clean"
        listed = ", ".join(f"{code} {n}" for code, n in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"| {name} | {row.get('objects', '-')} | {listed or '-'} | {row.get('lint', '-')} | "
                     f"{row.get('apply', '-')} | {row.get('seconds', 0):.1f} |")
    lines += ["", f"**Totals**: {len(rows)} setups, {objects} objects, {sum(totals.values())} findings, "
              f"lint clean {lint_clean}, applied {applied}.", "", "Finding codes, most frequent first:", ""]
    lines += [f"- {code}: {n}" for code, n in totals.most_common()]
    return "\n".join(lines) + "\n"


def _audited_convert(setup: Setup, scratch: Path, root: Path, out: Path, log: Path) -> subprocess.CompletedProcess[str]:
    roots = json.dumps([str(root), str(out.parent), str(REPO / "converter")])
    command = [sys.executable, str(HERE / "audited.py"), str(log), roots, "--", *setup.convert_args(scratch, out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
                          cwd=setup.project_dir(scratch), env=setup.environment())


def _in_process(setup: Setup, scratch: Path) -> dict[str, bytes]:
    """The same conversion again, in this process (another hash seed, warm caches): its files."""
    entry = setup.entry
    load = LoadOptions(files=[str(scratch / f) for f in entry["files"]],
                       env_files=[str(scratch / f) for f in entry["env_files"]], profiles=list(entry["profiles"]),
                       use_shell_env=bool(entry["env"]), environ=setup.environment(),
                       cwd=str(setup.project_dir(scratch)))
    return convert(ConvertOptions(load=load)).files()


def _written(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _object_names(out: Path) -> set[str]:
    names = set()
    for obj in read_manifests([str(out)]):
        names.add(f"{obj['kind']}/{obj['metadata']['name']}")
    return names


def _live(control_plane: Any, namespace: str) -> set[str]:
    result = subprocess.run(
        [str(control_plane.bin_dir / "kubectl"), "--kubeconfig", str(control_plane.kubeconfig), "get",
         LISTED_KINDS, "-n", namespace, "-o", "json"], capture_output=True, text=True, check=True, timeout=120)
    return {f"{i['kind']}/{i['metadata']['name']}" for i in json.loads(result.stdout)["items"]
            if not i["metadata"].get("ownerReferences")}


@pytest.mark.parametrize("setup", SETUPS, ids=[s.id for s in SETUPS])
def test_setup_converts_reads_only_its_project_lints_clean_and_applies(
        setup: Setup, tmp_path: Path, control_plane: Any, table: dict[str, dict[str, Any]]) -> None:
    row: dict[str, Any] = {"project": setup.entry["project"]}
    table[setup.id] = row
    scratch = tmp_path / "scratch"
    root = setup.prepare(scratch)
    out, log = tmp_path / "output" / "out", tmp_path / "audit.jsonl"  # kubemap stages files next to out

    started = time.monotonic()
    result = _audited_convert(setup, scratch, root, out, log)
    row["seconds"] = time.monotonic() - started
    outside = log.read_text().splitlines() if log.exists() else []
    assert not outside, f"read outside the project folder {root}:\n" + "\n".join(outside[:20])
    assert "Traceback" not in result.stderr, result.stderr
    row["codes"] = Counter(line.split()[1] for line in result.stderr.splitlines()
                           if line.split()[:1] in (["warning"], ["info"], ["error"]) and len(line.split()) > 1
                           and line.split()[1].startswith("KM-"))

    if not setup.expect_ok:  # upstream needs an env file that only exists on a real install
        row.update(lint="-", apply="not converted: env file missing or outside the project (expected, exit 2)")
        assert result.returncode == 2, result.stderr
        # Missing from the corpus (stack.env), or at an absolute path of a real install
        # (/opt/redash/env), which kubemap does not read even when it exists.
        assert "env file" in result.stderr and ("not found" in result.stderr
                                                or "is outside the project directory" in result.stderr), result.stderr
        assert not out.exists(), "nothing is written when the input is bad"
        return

    assert result.returncode == 0, result.stderr
    written = _written(out)
    row["objects"] = len(_object_names(out))
    assert _in_process(setup, scratch) == written, "a second conversion gave other bytes"
    if not setup.entry["compose_go_v2_16_1"].get("services"):  # upstream runs nothing without a profile
        row.update(lint="-", apply="nothing to apply")
        assert row["objects"] == 0
        return

    findings = lint(read_manifests([str(out)]))
    row["lint"] = "clean" if not findings else f"{len(findings)} findings"
    assert not findings, "\n".join(f"{f.code} {f.source}: {f.message}" for f in findings)

    command = [sys.executable, "-m", "converter", "apply", "-k", str(out), "-n", setup.namespace,
               "--kubeconfig", str(control_plane.kubeconfig)]
    applied = subprocess.run(command, capture_output=True, text=True, timeout=APPLY_TIMEOUT, cwd=REPO)
    row["apply"] = "ok" if applied.returncode == 0 else "rejected"
    assert applied.returncode == 0, applied.stdout + applied.stderr
    expected = {name for name in _object_names(out) if not name.startswith("Namespace/")}
    missing = expected - _live(control_plane, setup.namespace)
    assert not missing, f"not in the cluster after apply: {sorted(missing)}"


def test_the_index_lists_the_setups_the_readme_promises() -> None:
    assert len(SETUPS) == 92
    assert sum(s.expect_ok for s in SETUPS) == 89


def test_the_audit_hook_catches_a_read_outside_the_allowed_folders(tmp_path: Path) -> None:
    """The check above can fail: a compose file outside the allowed roots is reported."""
    allowed, outside = tmp_path / "project", tmp_path / "elsewhere"
    allowed.mkdir()
    outside.mkdir()
    (outside / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    log = tmp_path / "audit.jsonl"
    result = subprocess.run([sys.executable, str(HERE / "audited.py"), str(log), json.dumps([str(allowed)]), "--",
                             "validate", "-f", str(outside / "compose.yaml")],
                            capture_output=True, text=True, timeout=CONVERT_TIMEOUT, cwd=allowed)
    assert result.returncode == 0, result.stderr
    reads = [json.loads(line)["path"] for line in log.read_text().splitlines()]
    assert str(outside / "compose.yaml") in reads
