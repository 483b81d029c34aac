"""Every manifest kubemap generates from the stack in compose/ and from the Kompose corpus
fixtures is accepted by the real API server (server-side apply with dryRun=All).

Converting is the converter tests' business: a fixture that does not convert is counted and
listed, not failed here; an object the server refuses fails the test with the server's reason.
"""

from __future__ import annotations

import json
from pathlib import Path

from converter.cluster import ApplyOptions, apply_objects, connect
from converter.errors import ClusterError, KubemapError
from converter.load import LoadOptions
from converter.pipeline import ConvertOptions, convert

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"

# Generated objects the API server refuses, with why; each must still be refused for that reason
# (when the translator is fixed, the test says to remove the entry).
KNOWN_REFUSED: dict[str, tuple[str, str]] = {}


def kompose_fixtures() -> list[Path]:
    index = json.loads((CORPUS / "INDEX.json").read_text())
    return sorted(CORPUS / e["file"] for e in index if e["file"].startswith("kompose/"))


def generated_objects(compose_file: Path) -> list[dict]:
    load = LoadOptions(files=[str(compose_file)], environ={}, cwd=str(compose_file.parent))
    return [dict(o.body) for o in convert(ConvertOptions(load=load)).bundle.objects]


def server_dry_run(control_plane, namespace: str, objects: list[dict]) -> None:
    client = connect(str(control_plane.kubeconfig))
    # Generated Namespace objects would be created for real by a dry run of the namespace
    # check; the objects themselves all go to the test namespace.
    objects = [o for o in objects if o.get("kind") != "Namespace"]
    apply_objects(client, objects, ApplyOptions(namespace=namespace, dry_run=True))


def test_the_stack_in_compose_is_accepted_by_server_dry_run(control_plane, namespace) -> None:
    compose_file = REPO / "compose" / "compose.yaml"
    assert compose_file.is_file(), f"{compose_file} is missing"
    objects = generated_objects(compose_file)
    assert len(objects) >= 10
    server_dry_run(control_plane, namespace, objects)


def test_every_converted_kompose_fixture_is_accepted_by_server_dry_run(control_plane, namespace, capsys) -> None:
    assert (CORPUS / "INDEX.json").is_file(), f"the shared corpus is missing at {CORPUS}"
    fixtures = kompose_fixtures()
    accepted, refused, not_converted = 0, [], []
    for fixture in fixtures:
        label = str(fixture.relative_to(CORPUS))
        try:
            objects = generated_objects(fixture)
        except KubemapError as error:
            not_converted.append(f"{label}: {error}")
            continue
        known = KNOWN_REFUSED.get(label)
        try:
            server_dry_run(control_plane, namespace, objects)
            accepted += 1
            if known:
                refused.append(f"{label}: now accepted; remove it from KNOWN_REFUSED")
        except ClusterError as error:
            if not known or known[1] not in str(error):
                refused.append(f"{label}: {error}")
    with capsys.disabled():
        print(f"\nKompose fixtures: {accepted} accepted by server dry run, {len(refused)} refused, "
              f"{len(not_converted)} did not convert (the corpus test names why)")
    assert not refused, "the API server refused generated objects:\n" + "\n".join(refused)
    assert accepted >= len(fixtures) // 2, "fewer than half of the Kompose fixtures converted:\n" + "\n".join(not_converted)


def test_cli_converts_and_dry_runs_the_stack_in_one_go(kubemap, namespace) -> None:
    result = kubemap("apply", "-f", "compose/compose.yaml", "-n", namespace, "--dry-run=server")
    assert result.returncode == 0, result.stderr
    assert "(server dry run)" in result.stdout
