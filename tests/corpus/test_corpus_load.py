"""Every compose file of the shared corpus (../shared/corpus) loads, or fails with a LoadError that
names its problem. The corpus is written by others and read in place; a missing corpus FAILS.

What kubemap loads is compared field by field with Docker Compose v5 itself in
test_compose_reference.py; this file checks that every file is handled, and how it fails.
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path
from typing import Any

import pytest

from converter.errors import KubemapError, LoadError
from converter.load import LoadOptions, load_project, resolved_config

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
INDEX = CORPUS / "INDEX.json"

# Files meant to fail (corpus README), with why, and a word the error message must contain.
MUST_FAIL: dict[str, tuple[str, str]] = {
    "compose-go/loader/testdata/compose-depends-on-cycle.yaml": ("depends_on cycle", "cycle"),
    "compose-go/loader/testdata/compose-depends-on-self.yaml": ("depends on itself", "cycle"),
    "compose-go/loader/testdata/compose-depends-on-profile-no-cycle.yaml":
        ("same content as the cycle file", "cycle"),
    "compose-go/loader/testdata/compose-include-cycle.yaml": ("includes itself", "include cycle"),
    "compose-go/loader/testdata/empty.yaml": ("empty file", "empty"),
    "compose-go/loader/testdata/remote/cycle/*": ("extends from remote: (and a cycle)", "remote"),
    "compose-go/loader/testdata/remote/nested/compose.yaml": ("extends from remote:", "remote"),
    "docker-compose-e2e/fixtures/wrong-composefile/compose.yaml": ("unknown key", "wrongField"),
    # Docker Compose v5 refuses these too (test_compose_reference.py checks both sides):
    "compose-go/historical/loader__full-example.yml":
        ("links to services it does not define; network_mode with networks", "links to 'db'"),
    "docker-compose-e2e/fixtures/build-test/platforms/compose-service-platform-not-in-build-platforms.yaml":
        ("build.platforms without the service's platform, on purpose", "does not include"),
    "docker-compose-e2e/fixtures/logs-test/cat.yaml":
        ("the volume ':/text_file.txt' has an empty section", "is empty"),
    "kompose/unused/merge-multiple-compose/other-toplevel-base.yml":
        ("uses a volume only its override file declares", "not defined"),
    "kompose/unused/v3/docker-compose-deploy.yaml": ("depends on an undefined service", "not defined"),
    "kompose/unused/v3/docker-compose-full-example.yaml": ("links to undefined services", "not defined"),
    "kompose/volume-mounts/named-volume/*": ("uses named volumes it never declares", "not defined"),
}
LEGACY_V1_WORD = "legacy Compose v1"  # the 12 kompose files without `services:`

# Not standalone (README "Not standalone", and files we found to be fragments): they fail alone,
# for the reason named here.
NOT_STANDALONE: dict[str, tuple[str, str]] = {
    "compose-go/loader/testdata/extends/base.yaml": ("a null service", "services.nil"),
    "compose-go/loader/testdata/include/dir/compose.yaml":
        ("its env_file lives in ../subdir, only valid through include/project-directory.yaml",
         "extra.env"),
    "compose-go/schema/using-variables.yaml":
        ("schema-only fixture: every value is ${VARIABLE}, so no value makes a project",
         "not a whole number"),
    "docker-compose-e2e/fixtures/env_file/compose.yaml":
        ("serviceB's env_file /doesnotexist/.env is missing on purpose (Compose fails when it "
         "starts serviceB; kubemap loads every service)", "/doesnotexist/.env"),
    "kompose/etherpad/docker-compose-no-image.yml":
        ("a service with neither image nor build, on purpose", "neither an image"),
    # override fragments: loaded with their base file in test_overlay_loads
    "docker-compose-e2e/fixtures/publish/oci/compose-override.yaml": ("override fragment", "image"),
    "kompose/multiple-files/second.yaml": ("override fragment", "image"),
    "kompose/unused/merge-multiple-compose/compose-new-service-prob.yml":
        ("override fragment", "image"),
    "kompose/unused/merge-multiple-compose/compose-port-prod.yml": ("override fragment", "image"),
    "kompose/unused/merge-multiple-compose/dev.yml": ("override fragment", "image"),
}

# Listed as failing or not standalone in the README, but they load, and we say why.
LOADS_DESPITE_README = {
    "compose-go/loader/testdata/remote/compose.yaml": "it has no remote reference at all",
    "compose-go/loader/testdata/extends/sibling.yaml": "a valid project on its own (build: .)",
    "compose-go/loader/testdata/extends/ports.yaml": "a valid project on its own",
    "compose-go/loader/testdata/extends/depends_on.yaml": "a valid project on its own",
    "compose-go/cli/testdata/simple/compose-with-paths.yaml":
        "the Windows bind source is kept as written, with a warning",
    "docker-compose-e2e/fixtures/wrong-composefile/build-error.yml":
        "it fails when building (missing context), not when loading: a warning here",
    "docker-compose-e2e/fixtures/wrong-composefile/unknown-image.yml":
        "it fails when pulling the image, not when loading",
}

# Files whose variables live in an env file next to them (Kompose runs them with those values).
ENV_FILES = {
    "kompose/etherpad/docker-compose.yml": ["kompose/etherpad/envs"],
    "kompose/etherpad/docker-compose-no-ports.yml": ["kompose/etherpad/envs"],
    "kompose/gitlab/docker-compose.yml": ["kompose/gitlab/envs"],
}

# Override fragments and the base they override.
OVERLAYS = {
    "docker-compose-e2e/fixtures/publish/oci/compose-override.yaml":
        ["docker-compose-e2e/fixtures/publish/oci/compose.yaml"],
    "kompose/multiple-files/second.yaml": ["kompose/multiple-files/first.yaml"],
    "kompose/unused/merge-multiple-compose/compose-new-service-prob.yml":
        ["kompose/unused/merge-multiple-compose/compose-port-base.yml"],
    "kompose/unused/merge-multiple-compose/compose-port-prod.yml":
        ["kompose/unused/merge-multiple-compose/compose-port-base.yml"],
    "kompose/unused/merge-multiple-compose/dev.yml": ["kompose/unused/merge-multiple-compose/base.yml"],
}


def _require_corpus() -> None:
    if not INDEX.is_file():
        pytest.fail(f"the shared corpus is missing: expected {INDEX} (../shared/corpus from the "
                    "repo root). The corpus tests cannot run without it.")


def corpus_files() -> list[str]:
    if not INDEX.is_file():
        return ["<corpus missing>"]
    files = {entry["file"] for entry in json.loads(INDEX.read_text())}
    # remote/** is not in the index (compose-go loads it only with a remote loader): add it.
    remote = CORPUS / "compose-go/loader/testdata/remote"
    files.update(str(p.relative_to(CORPUS)) for p in remote.rglob("*.yaml"))
    return sorted(files)


def _legacy_v1() -> set[str]:
    if not INDEX.is_file():
        return set()
    return {e["file"] for e in json.loads(INDEX.read_text())
            if "legacy_v1_format" in e.get("features", [])}


def _match(table: dict[str, Any], rel: str) -> Any:
    for pattern, value in table.items():
        if fnmatch.fnmatch(rel, pattern):
            return value
    return None


def _load(rels: list[str], **extra: Any) -> Any:
    paths = [str(CORPUS / r) for r in rels]
    env_files = [str(CORPUS / e) for e in ENV_FILES.get(rels[-1], [])]
    return load_project(LoadOptions(files=paths, env_files=env_files,
                                    cwd=os.path.dirname(paths[0]), environ={}, **extra))


def test_corpus_is_present() -> None:
    _require_corpus()
    assert len(corpus_files()) > 200, "the corpus index lists fewer files than expected"


@pytest.mark.parametrize("rel", corpus_files())
def test_corpus_file_loads_or_fails_clearly(rel: str) -> None:
    _require_corpus()
    failing = _match(MUST_FAIL, rel) or _match(NOT_STANDALONE, rel)
    if rel in _legacy_v1():
        failing = ("legacy v1 layout", LEGACY_V1_WORD)
    if failing:
        reason, word = failing
        with pytest.raises(LoadError) as caught:
            _load([rel])
        assert word in str(caught.value), f"{rel} ({reason}): error does not name it: {caught.value}"
        assert caught.value.file, f"{rel}: the error names no file"
        return
    try:
        project = _load([rel])
    except KubemapError as err:
        pytest.fail(f"{rel} should load but failed: {err}")
    config = resolved_config(project)
    # Deterministic and serialisable: a second load gives the same resolved config.
    assert json.dumps(config, sort_keys=True) == json.dumps(
        resolved_config(_load([rel])), sort_keys=True)
    assert set(config["services"]) == set(project.services)


@pytest.mark.parametrize("fragment", sorted(OVERLAYS))
def test_overlay_loads_with_its_base(fragment: str) -> None:
    _require_corpus()
    project = _load([*OVERLAYS[fragment], fragment])
    assert project.services, f"{fragment} + base: no services"
    assert len(project.files) == 2


def test_readme_exceptions_are_real_files() -> None:
    """The tables above name files that exist, so a renamed fixture cannot pass silently."""
    _require_corpus()
    files = set(corpus_files())
    for table in (MUST_FAIL, NOT_STANDALONE, LOADS_DESPITE_README, ENV_FILES, OVERLAYS):
        for pattern in table:
            assert any(fnmatch.fnmatch(f, pattern) for f in files), f"no corpus file matches {pattern}"
    assert len(_legacy_v1()) == 12


def test_include_project_directory_fixture() -> None:
    """include/dir/compose.yaml loads through include/project-directory.yaml, with its relative
    paths resolved against the include's project_directory (../subdir)."""
    _require_corpus()
    project = _load(["compose-go/loader/testdata/include/project-directory.yaml"])
    service = project.services["service"]
    subdir = str(CORPUS / "compose-go/loader/testdata/subdir")
    assert service.env_files == [f"{subdir}/extra.env"]
    assert service.env_file_values == {"SOURCE": "extends"}
    assert service.volumes[0].source == f"{subdir}/compose-test-extends-imported.yaml"


def test_extends_reset_fixture() -> None:
    """extends/reset.yaml: `command: !reset` drops the command inherited through extends."""
    _require_corpus()
    project = _load(["compose-go/loader/testdata/extends/reset.yaml"])
    assert project.services["init"].command == ["sleep", "infinity"]
    assert project.services["base"].command is None
    assert project.services["base"].image == "alpine:latest"


def test_extends_other_file_paths_are_relative_to_that_file() -> None:
    _require_corpus()
    project = _load(["compose-go/loader/testdata/compose-test-extends.yaml"])
    importer = project.services["importer"]
    subdir = str(CORPUS / "compose-go/loader/testdata/subdir")
    assert importer.env_files == [f"{subdir}/extra.env"]
    assert importer.image == "nginx"
    assert importer.container_name == "imported"  # ${SOURCE:-imported}: SOURCE is not in .env


# --------------------------------------------------------------------- historical full example

def test_historical_full_example_is_refused_for_compose_v5_reasons() -> None:
    """compose-go's old all-features fixture was once compared here with compose-go's old
    expectation (full-struct_test.go). Docker Compose v5 refuses the file (network_mode together
    with networks, links and depends_on to services it does not define), and so does kubemap; the
    field-by-field comparison is now made against Docker Compose v5 itself, on every corpus file
    (test_compose_reference.py)."""
    _require_corpus()
    rel = "compose-go/historical/loader__full-example.yml"
    wd = str(CORPUS / "compose-go/historical")
    with pytest.raises(LoadError) as caught:
        load_project(LoadOptions(files=[str(CORPUS / rel)], cwd=wd, use_shell_env=True,
                                 environ={"HOME": "/home/corpus-test"}))
    err = caught.value
    assert err.file and err.file.endswith("loader__full-example.yml") and err.line
    assert "links to 'db', which is not defined" in err.message
