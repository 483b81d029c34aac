"""Golden tests: tests/golden/<feature>/compose.yaml in, expected manifests and findings out.

Each feature folder holds a compose.yaml (and any file it refers to), an optional options.yaml
(the convert flags: network_policies, namespace, profiles, env_files, format, registry), and expected/:
the rendered files, findings.yaml, or error.yaml when the conversion must fail.
Files are compared as YAML structures, so formatting changes do not matter, content does.
`pytest tests/golden --update-golden` rewrites expected/; review the git diff before committing.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from converter.errors import KubemapError
from converter.load import LoadOptions
from converter.pipeline import ConvertOptions, TranslateOptions, convert
from converter.render import serialize

GOLDEN = Path(__file__).parent
REPO = GOLDEN.parent.parent
FEATURES = sorted(p.name for p in GOLDEN.iterdir() if (p / "compose.yaml").is_file())
RESULT_FILES = {"findings.yaml", "error.yaml"}


def _options(feature_dir: Path) -> dict[str, Any]:
    path = feature_dir / "options.yaml"
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


def _convert(feature_dir: Path) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    opts = _options(feature_dir)
    load = LoadOptions(
        files=[str(feature_dir / "compose.yaml")],
        env_files=[str(feature_dir / f) for f in opts.get("env_files", [])],
        profiles=list(opts.get("profiles", [])),
        environ={},  # never the developer's shell: goldens must not depend on it
        cwd=str(feature_dir),
    )
    conversion = convert(ConvertOptions(
        load=load,
        translate=TranslateOptions(network_policies=bool(opts.get("network_policies", False)),
                                   namespace=opts.get("namespace"), registry=opts.get("registry")),
        output_format=opts.get("format", "yaml"),
    ))
    files = conversion.files()
    findings = [f.model_dump() for f in conversion.bundle.findings]
    return files, findings


def _error_record(error: KubemapError, feature_dir: Path) -> dict[str, Any]:
    return {"type": type(error).__name__, "message": str(error).replace(str(feature_dir), "<feature>")}


def _parse(name: str, content: bytes | str) -> Any:
    if name.endswith(".json"):
        return json.loads(content)
    return [doc for doc in yaml.safe_load_all(content) if doc is not None]


def _canonical(value: Any) -> list[str]:
    # kubemap's own dumper: multi-line strings (wait scripts) diff line by line as literal blocks
    return serialize.yaml_mapping(value, sort_keys=True).splitlines()


def _diff(name: str, expected: Any, actual: Any) -> str:
    lines = difflib.unified_diff(_canonical(expected), _canonical(actual), f"expected/{name}", f"actual/{name}", lineterm="")
    return "\n".join(lines)


def _write_expected(expected_dir: Path, files: dict[str, bytes | str]) -> None:
    expected_dir.mkdir(exist_ok=True)
    for old in expected_dir.iterdir():
        old.unlink()
    for name, content in files.items():
        (expected_dir / name).write_bytes(content if isinstance(content, bytes) else content.encode())


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=1_000_000)


@pytest.mark.parametrize("feature", FEATURES)
def test_golden(feature: str, update_golden: bool) -> None:
    feature_dir = GOLDEN / feature
    expected_dir = feature_dir / "expected"
    try:
        files, findings = _convert(feature_dir)
        actual: dict[str, bytes | str] = {**files, "findings.yaml": _dump(findings)}
    except KubemapError as error:
        actual = {"error.yaml": _dump(_error_record(error, feature_dir))}

    if update_golden:
        _write_expected(expected_dir, actual)
        return
    assert expected_dir.is_dir(), f"{expected_dir} is missing: run `pytest tests/golden --update-golden` and review it"

    expected_names = sorted(p.name for p in expected_dir.iterdir())
    assert sorted(actual) == expected_names, "the set of output files changed"
    problems = []
    for name in expected_names:
        want = _parse(name, (expected_dir / name).read_bytes())
        got = _parse(name, actual[name])
        if want != got:
            problems.append(_diff(name, want, got))
    assert not problems, "output differs from expected/ (if the change is right: --update-golden):\n" + "\n".join(problems)


CONVERTIBLE = [f for f in FEATURES if not (GOLDEN / f / "expected" / "error.yaml").exists()]


@pytest.mark.parametrize("feature", CONVERTIBLE)
def test_golden_output_is_byte_identical_across_runs_and_machine_independent(feature: str) -> None:
    feature_dir = GOLDEN / feature
    first, _ = _convert(feature_dir)
    second, _ = _convert(feature_dir)
    assert first == second
    for name, content in first.items():
        text = content.decode()
        assert str(REPO) not in text, f"{name} contains an absolute path of this machine"
        assert text.startswith("# Generated by kubemap") or name.endswith(".json"), name
