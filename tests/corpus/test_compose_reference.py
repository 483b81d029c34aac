"""Docker Compose v5 is the reference for `kubemap config`.

For every case of `compose_reference.cases()` (every corpus file, the corpus READMEs' file and
env-file combinations, every realworld setup, default discovery, and our own small projects in
compose_cases/), both `docker compose config --format json` (v5.6.0, built by
scripts/build-compose.sh) and kubemap's config output are produced in the same clean
environment, normalised (representation only; see compose_reference.py) and compared service by
service, field by field.

- Both load: every differing field fails, unless DIFFERENCES names it with the reason.
- Refusals must agree both ways: a case only one side refuses fails (unless DIFFERENCES says
  why), and kubemap's refusal names the file.

The Compose binary is built by `make test-converter` (a prerequisite); if it is missing the test
fails and says how to build it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import compose_reference as ref

REPO = ref.REPO
BUILD_SCRIPT = REPO / "scripts" / "build-compose.sh"
PINNED_MODULE = REPO / "scripts" / "compose-v5" / "go.mod"

# Every difference kubemap keeps on purpose: (case id pattern, key path pattern) -> the reason,
# from the Compose specification. A refusal only one side makes is written with the key path
# "<refusal>". Empty: kubemap loads what Compose loads.
DIFFERENCES: dict[tuple[str, str], str] = {}


def _compose_binary() -> str:
    path = subprocess.run([str(BUILD_SCRIPT), "--print-path"], capture_output=True, text=True,
                          check=True).stdout.strip()
    if not os.access(path, os.X_OK):
        pytest.fail(f"Docker Compose v5 is not built: {path} is missing. Run "
                    "scripts/build-compose.sh (make test-converter does it first).")
    return path


@pytest.fixture(scope="module")
def compose_binary() -> str:
    return _compose_binary()


@pytest.fixture(scope="module")
def comparisons(compose_binary: str, tmp_path_factory: pytest.TempPathFactory
                ) -> dict[str, ref.Comparison]:
    if not (ref.CORPUS / "INDEX.json").is_file():
        pytest.fail(f"the shared corpus is missing: expected {ref.CORPUS}/INDEX.json")
    scratch = tmp_path_factory.mktemp("compose-reference")
    results = ref.compare_all(compose_binary, ref.cases(), scratch)
    return {c.case.id: c for c in results}


def _explained(case_id: str, path: str) -> str | None:
    for (case_pattern, path_pattern), reason in DIFFERENCES.items():
        if fnmatch.fnmatchcase(case_id, case_pattern) and fnmatch.fnmatchcase(path, path_pattern):
            return reason
    return None


def _case_ids() -> list[str]:
    try:
        return [c.id for c in ref.cases()]
    except FileNotFoundError:
        return ["<corpus missing>"]


def test_reference_is_the_pinned_compose(compose_binary: str) -> None:
    pinned = next(line.split()[2] for line in PINNED_MODULE.read_text().splitlines()
                  if line.startswith("require github.com/docker/compose/v5 "))
    out = subprocess.run([compose_binary, "version", "--short"], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert f"v{out}" == pinned


@pytest.mark.parametrize("case_id", _case_ids())
def test_kubemap_loads_what_compose_loads(case_id: str, comparisons: dict[str, ref.Comparison]
                                         ) -> None:
    comparison = comparisons[case_id]
    theirs, mine = comparison.compose, comparison.kubemap
    if theirs.refused != mine.refused:
        reason = _explained(case_id, "<refusal>")
        if reason is None:
            only = "Compose" if theirs.refused else "kubemap"
            pytest.fail(f"only {only} refuses {case_id}:\n  Compose: {theirs.error}\n"
                        f"  kubemap: {mine.error}")
        return
    if theirs.refused:
        # A clear error: the file, the line (an empty file has none), what to do.
        assert mine.error_file, f"kubemap's refusal names no file: {mine.error}"
        assert mine.error_line or "empty" in (mine.error or ""), f"no line: {mine.error}"
        assert mine.error_hint, f"kubemap's refusal says nothing to do: {mine.error}"
        return
    unexplained = [d for d in comparison.differences if _explained(case_id, d[0]) is None]
    assert not unexplained, f"{case_id}: kubemap differs from Compose:\n" + "\n".join(
        f"  {path}: Compose {json.dumps(a)[:200]}  kubemap {json.dumps(b)[:200]}"
        for path, a, b in unexplained)


def test_every_table_row_is_used(comparisons: dict[str, ref.Comparison]) -> None:
    """A difference that disappeared must leave the table too."""
    for (case_pattern, path_pattern), reason in DIFFERENCES.items():
        used = any(
            fnmatch.fnmatchcase(c.case.id, case_pattern) and (
                (path_pattern == "<refusal>" and c.compose.refused != c.kubemap.refused)
                or any(fnmatch.fnmatchcase(d[0], path_pattern) for d in c.differences))
            for c in comparisons.values())
        assert used, f"no case shows ({case_pattern}, {path_pattern}) any more: {reason}"


def test_summary(comparisons: dict[str, ref.Comparison]) -> None:
    """The counts the issue asks for (printed with -s / -rP), and enough cases to mean it."""
    loaded = [c for c in comparisons.values() if not c.compose.refused and not c.kubemap.refused]
    equal = [c for c in loaded if not c.differences]
    refused = [c for c in comparisons.values() if c.compose.refused and c.kubemap.refused]
    one_sided = [c for c in comparisons.values() if c.compose.refused != c.kubemap.refused]
    print(f"\ncompose reference: {len(comparisons)} cases, {len(loaded)} load on both sides "
          f"({len(equal)} equal), {len(refused)} refused by both, {len(one_sided)} refused by "
          f"one side, {len(DIFFERENCES)} table rows")
    assert len(comparisons) > 300
    assert len(loaded) > 250
    assert any(c.case.id.startswith("realworld ") for c in loaded)


# Cases whose CLI output is compared with the in-process one: a realworld project with an env
# file and a profile, a multi-file one, our own small projects (one refused).
CLI_SAMPLE = (
    "realworld hoppscotch/hoppscotch default",
    "realworld appwrite/appwrite dev-default",
    "compose_cases/load/anchor-used-twice/",
    "compose_cases/load/string-or-list-merge/",
    "compose_cases/refuse/read-only-empty.yaml",
)


@pytest.mark.parametrize("case_id", CLI_SAMPLE)
def test_cli_prints_the_same(case_id: str, comparisons: dict[str, ref.Comparison],
                             tmp_path: Path) -> None:
    """`kubemap config --format json` as a process prints exactly what the comparison used, and
    refuses with exit code 2, no traceback."""
    case = comparisons[case_id].case
    root = ref.materialise(case, tmp_path)
    kubemap = str(Path(sys.executable).parent / "kubemap")
    proc = subprocess.run(ref.kubemap_cli_command(case, root, kubemap),
                          cwd=root / case.project_dir, env=ref.clean_environment(case),
                          capture_output=True, text=True, timeout=120, check=False)
    expected = ref.run_kubemap(case, root)
    if expected.refused:
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert expected.error_file and expected.error_file in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected.data


@pytest.mark.parametrize("case_id", ("compose_cases/load/anchor-used-twice/",
                                     "compose_cases/load/pwd-and-command/",
                                     "compose_cases/load/braces-in-defaults/"))
def test_config_output_reads_back_unchanged(case_id: str, compose_binary: str,
                                            comparisons: dict[str, ref.Comparison],
                                            tmp_path: Path) -> None:
    """`kubemap config` writes every `$` as `$$`: Compose reading kubemap's output gets the same
    project again (no second interpolation)."""
    case = comparisons[case_id].case
    root = ref.materialise(case, tmp_path)
    kubemap = str(Path(sys.executable).parent / "kubemap")
    env = ref.clean_environment(case)
    args = ref.kubemap_cli_command(case, root, kubemap)
    args[args.index("json")] = "yaml"
    printed = subprocess.run(args, cwd=root / case.project_dir, env=env, capture_output=True,
                             text=True, timeout=120, check=True).stdout
    assert "$$" in printed
    again = tmp_path / "again.yaml"
    again.write_text(printed, encoding="utf-8")
    proc = subprocess.run([compose_binary, "-f", str(again), "--project-directory",
                           str(root / case.project_dir), "config", "--format", "json"],
                          cwd=root / case.project_dir, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    first = ref.normalise(comparisons[case_id].compose.data)
    second = ref.normalise(json.loads(proc.stdout))
    assert first["services"] == second["services"]
