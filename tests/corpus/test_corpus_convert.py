"""Every compose file of the shared corpus (../shared/corpus) either converts to manifests that
all pass strict schema validation, or fails with a KubemapError for a reason named below.

The corpus is written by others (Kompose, compose-go, docker compose fixtures); it is read in
place, never copied. A missing corpus is a failure, not a skip.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest

from converter.errors import KubemapError
from converter.load import LoadOptions, load_project
from converter.model import Bundle
from converter.render import RenderOptions, newest_kube_version, render_stream, validate_object
from converter.translate import TranslateOptions, translate

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"

# Files that must fail to load, with why (from the corpus README and our own reading of each file).
# Each value is (reason, a fragment the error message must contain).
MUST_FAIL: dict[str, tuple[str, str]] = {
    "compose-go/loader/testdata/compose-depends-on-cycle.yaml": ("depends_on cycle", "cycle"),
    "compose-go/loader/testdata/compose-depends-on-self.yaml": ("service depends on itself", ""),
    "compose-go/loader/testdata/compose-depends-on-profile-no-cycle.yaml": ("same content as the cycle file", "cycle"),
    "compose-go/loader/testdata/compose-include-cycle.yaml": ("includes itself", ""),
    "compose-go/loader/testdata/empty.yaml": ("empty file", "empty"),
    "compose-go/loader/testdata/remote/cycle/*": ("extends.file: remote:... (an extends cycle) needs a remote loader", ""),
    "compose-go/loader/testdata/remote/nested/compose.yaml": ("extends.file: remote:... needs a remote loader", ""),
    "docker-compose-e2e/fixtures/wrong-composefile/compose.yaml": ("unknown service key wrongField", "wrongField"),
    # Files that need what their own test harness provides (variables, a base file):
    "compose-go/schema/using-variables.yaml": ("needs variables compose-go's test sets; unset, deploy.replicas is ''", "not a whole number"),
    "kompose/etherpad/docker-compose.yml": ("needs $DB_PORT set; unset, a port is ''", "names no container port"),
    "kompose/gitlab/docker-compose.yml": ("needs $DB_PORT set; unset, a port is ''", "names no container port"),
    # Docker Compose v5 refuses these (tests/corpus/test_compose_reference.py checks that both
    # refuse); kubemap used to accept them with a warning:
    "compose-go/historical/loader__full-example.yml": ("network_mode together with networks, links to undefined services", "links to 'db'"),
    "docker-compose-e2e/fixtures/build-test/platforms/compose-service-platform-not-in-build-platforms.yaml": ("build.platforms without the service's platform, on purpose", "does not include"),
    "docker-compose-e2e/fixtures/logs-test/cat.yaml": ("the volume ':/text_file.txt' has an empty section", "is empty"),
    "kompose/unused/merge-multiple-compose/other-toplevel-base.yml": ("uses a volume only its override file declares", "not defined"),
    "kompose/unused/v3/docker-compose-deploy.yaml": ("depends on an undefined service", "not defined"),
    "kompose/unused/v3/docker-compose-full-example.yaml": ("links to undefined services", "not defined"),
    "kompose/volume-mounts/named-volume/*": ("uses named volumes it never declares", "not defined"),
    "docker-compose-e2e/fixtures/env_file/compose.yaml": ("names an env_file at an absolute path outside the project (and missing): not read", "/doesnotexist/.env is outside the project"),
    "docker-compose-e2e/fixtures/publish/oci/compose-override.yaml": ("override fragment without image", "neither an image nor a build"),
    "kompose/etherpad/docker-compose-no-image.yml": ("tests a service without image on purpose", "neither an image nor a build"),
    "kompose/multiple-files/second.yaml": ("override fragment of first.yaml", "neither an image nor a build"),
    "kompose/unused/merge-multiple-compose/compose-new-service-prob.yml": ("override fragment", "neither an image nor a build"),
    "kompose/unused/merge-multiple-compose/compose-port-prod.yml": ("override fragment", "neither an image nor a build"),
    "kompose/unused/merge-multiple-compose/dev.yml": ("override fragment", "neither an image nor a build"),
    # Kompose's labels, read as x-kubemap settings (R-KOMPOSE-01), with values Kubernetes refuses:
    "kompose/image-pull-policy/compose-files/v12-fail-image-pull-policy.yml": ("kompose.image-pull-policy: Fail (Kompose fails too)", "unknown image pull policy"),
    "kompose/service-label/docker-compose.yaml": ("kompose.service.nodeport.port: 33111, outside the nodePort range (Kompose does not check)", "outside 30000-32767"),
}

# Fragments that are not meant to be loaded on their own: loading them alone may work or fail,
# but it must never crash (a KubemapError is fine, a traceback is not).
NOT_STANDALONE: dict[str, str] = {
    "compose-go/loader/testdata/extends/base.yaml": "extends fragment (a null service)",
    "compose-go/loader/testdata/extends/sibling.yaml": "extends fragment",
    "compose-go/loader/testdata/extends/ports.yaml": "extends fragment",
    "compose-go/loader/testdata/extends/depends_on.yaml": "extends fragment",
    "compose-go/loader/testdata/include/dir/compose.yaml": "only valid through include/project-directory.yaml",
    "compose-go/cli/testdata/simple/compose-with-paths.yaml": "Windows paths",
}


def corpus_files() -> list[str]:
    index = CORPUS / "INDEX.json"
    if not index.is_file():
        return ["<corpus missing>"]
    return sorted(entry["file"] for entry in json.loads(index.read_text()))


def _legacy_v1() -> set[str]:
    index = CORPUS / "INDEX.json"
    if not index.is_file():
        return set()
    return {e["file"] for e in json.loads(index.read_text()) if "legacy_v1_format" in e["features"]}


LEGACY_V1 = _legacy_v1()


def _match(table: dict[str, object], name: str) -> object | None:
    for pattern, value in table.items():
        if fnmatch.fnmatch(name, pattern):
            return value
    return None


def convert(path: Path) -> Bundle:
    project = load_project(LoadOptions(files=[str(path)], environ={}, cwd=str(path.parent)))
    return translate(project, TranslateOptions())


def test_the_corpus_is_present() -> None:
    assert (CORPUS / "INDEX.json").is_file(), f"the shared corpus is missing at {CORPUS}"


@pytest.mark.parametrize("name", corpus_files())
def test_corpus_file(name: str) -> None:
    assert (CORPUS / "INDEX.json").is_file(), f"the shared corpus is missing at {CORPUS}"
    path = CORPUS / name
    must_fail = _match(MUST_FAIL, name)  # type: ignore[arg-type]
    if name in LEGACY_V1:
        must_fail = ("legacy v1 layout (no services: key); Compose no longer accepts it", "")
    if must_fail is not None:
        reason, fragment = must_fail  # type: ignore[misc]
        with pytest.raises(KubemapError) as caught:
            convert(path)
        assert fragment.lower() in str(caught.value).lower(), f"{reason}: unexpected error {caught.value}"
        return
    if name in NOT_STANDALONE:
        try:
            bundle = convert(path)
        except KubemapError:
            return  # a clear error is an accepted outcome for a fragment
    else:
        bundle = convert(path)
    version = newest_kube_version()
    for obj in bundle.objects:
        validate_object(obj.body, version)  # raises RenderError naming the object
    output = render_stream(bundle, RenderOptions(project_dir=str(path.parent))).decode()
    # Paths of the converting machine must not leak into manifests (they would differ per machine).
    assert str(CORPUS.resolve()) not in output and str(REPO) not in output
