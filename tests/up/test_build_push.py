"""`kubemap build --push --registry` of the bundled stack (compose/): Docker Compose builds every
`build:` service under the names kubemap gives them, they are pushed to the test registry
(Debian's docker-registry on 127.0.0.1, scripts/test-servers.sh), and the registry's catalog
lists exactly them, each manifest the one Docker pushed. Runs in `make parity` after the stack's
images are built (so the build is Compose's cache); fails, never skips, without Docker or the
registry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STACK = ("-f", "compose/compose.yaml", "--env-file", "compose/.env.example")
BUILT = ("chat", "frontend", "gateway", "migrate", "orchestrator", "worker")  # the stack's build: services
MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"


def get(url: str, accept: str | None = None) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(response.headers), response.read()


def test_build_push_puts_the_stacks_images_in_the_registry(test_registry: str) -> None:
    assert shutil.which("docker"), "docker is needed for kubemap build (see README: make setup)"
    result = subprocess.run([sys.executable, "-m", "converter", "build", "--push", "--registry", test_registry, *STACK],
                            capture_output=True, text=True, timeout=3600, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = {f"{test_registry}/agents-{service}:latest" for service in BUILT}
    assert set(result.stdout.split()) == expected, result.stdout
    assert f"pushed {len(BUILT)} image(s)" in result.stderr

    _, body = get(f"http://{test_registry}/v2/_catalog?n=1000")
    catalog = set(json.loads(body)["repositories"])
    assert {f"agents-{service}" for service in BUILT} <= catalog, catalog
    for image in sorted(expected):
        repository = image.split("/", 1)[1].split(":", 1)[0]
        headers, _ = get(f"http://{test_registry}/v2/{repository}/manifests/latest", MANIFEST_TYPES)
        digest = headers.get("Docker-Content-Digest", "")
        inspected = subprocess.run(["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", image],
                                   capture_output=True, text=True, check=True).stdout
        assert f"{test_registry}/{repository}@{digest}" in json.loads(inspected), (image, digest, inspected)
