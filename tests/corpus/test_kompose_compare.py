"""kubemap vs Kompose's expected outputs, for every Kompose command test kubemap can run the same
way. Each difference is classified (see kompose_compare.py); the test fails on any difference
no rule explains. The counts are printed and written to artifacts/kompose-compare.md."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from kompose_compare import CompareContext, FixtureResult, compare, kubemap_flags, markdown_summary, read_documents

from converter.errors import KubemapError
from converter.load import LoadOptions
from converter.pipeline import ConvertOptions, TranslateOptions, convert

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
HARNESS = CORPUS / "kompose-expected" / "_harness" / "test_map.json"

# Kompose fixtures kubemap refuses on purpose, with why (checked: the error must be a KubemapError).
EXPECTED_ERRORS: dict[str, str] = {}


def comparable_entries() -> tuple[list[dict], dict[str, str]]:
    entries, skipped = [], {}
    for entry in json.loads(HARNESS.read_text()):
        cmd = entry["cmd"]
        label = " ".join(entry["inputs"]) or cmd
        if "openshift" in cmd:
            continue  # OpenShift output: not a Kubernetes comparison
        if not entry["check"].startswith("convert::expect_success") or not entry["inputs"]:
            skipped[label] = f"{entry['check']} checks a warning or an artifact name, not manifests"
            continue
        expected = CORPUS / "kompose-expected" / entry["expected"][0]
        if not expected.is_file() or "template" in expected.name:
            skipped[label] = "expected output is a template with placeholders"
            continue
        _, unknown = kubemap_flags(cmd)
        if unknown:
            skipped[label] = f"uses Kompose-only flags {' '.join(unknown)}"
            continue
        entries.append(entry)
    return entries, skipped


def test_kubemap_differs_from_kompose_only_for_named_reasons(capsys) -> None:  # type: ignore[no-untyped-def]
    assert HARNESS.is_file(), f"the Kompose harness map is missing at {HARNESS}"
    entries, skipped = comparable_entries()
    assert entries, "no Kompose fixture could be compared"
    results: list[FixtureResult] = []
    errors: list[str] = []
    for entry in entries:
        options, _ = kubemap_flags(entry["cmd"])
        files = [str(CORPUS / "kompose" / f) for f in entry["inputs"]]
        label = " ".join(entry["inputs"])
        load = LoadOptions(files=files, environ={}, cwd=str(Path(files[0]).parent))
        try:
            conversion = convert(ConvertOptions(load=load, translate=TranslateOptions(
                network_policies=options.get("network_policies", False), namespace=options.get("namespace"))))
        except KubemapError as error:
            if label in EXPECTED_ERRORS:
                skipped[label] = f"kubemap refuses it: {EXPECTED_ERRORS[label]}"
            else:
                errors.append(f"{label}: {error}")
            continue
        # Compare what kubemap would print (namespace applied, validated), not the raw bundle.
        ours = [d for d in yaml.safe_load_all(conversion.stream()) if d]
        theirs = read_documents(CORPUS / "kompose-expected" / entry["expected"][0])
        results.append(compare(label, theirs, CompareContext(project=conversion.project, kubemap_objects=ours,
                                                             kompose_objects=theirs)))

    summary = markdown_summary(results, skipped)
    (REPO / "artifacts").mkdir(exist_ok=True)
    (REPO / "artifacts" / "kompose-compare.md").write_text(summary)
    with capsys.disabled():
        print("\n" + summary)
    assert not errors, "kubemap failed on Kompose fixtures:\n" + "\n".join(errors)
    unclassified = [d for r in results for d in r.unclassified]
    assert not unclassified, f"{len(unclassified)} unclassified differences (see artifacts/kompose-compare.md)"
