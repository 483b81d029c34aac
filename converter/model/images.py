"""Facts about container image references that translate and lint share: an image's base name
and the well-known images that have no shell."""

from __future__ import annotations


def image_base(image: str | None) -> str:
    """`docker.io/library/postgres:16-alpine@sha256:..` → `postgres`."""
    if not image:
        return ""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[0].lower()


# Images that ship no /bin/sh (their final stage is FROM scratch, or they are distroless).
# Matched on the repository without registry-less tags; `:debug` distroless and `-dev`
# Chainguard variants do have a shell.
SHELLLESS_REPOSITORIES = (
    "scratch",
    "otel/opentelemetry-collector", "otel/opentelemetry-collector-contrib", "otel/opentelemetry-collector-k8s",
    "registry.k8s.io/pause", "k8s.gcr.io/pause",
)
SHELLLESS_PREFIXES = ("gcr.io/distroless/", "cgr.dev/chainguard/",
                      "ghcr.io/open-telemetry/opentelemetry-collector-releases/")


def _repository(image: str) -> tuple[str, str]:
    """`docker.io/library/busybox:1.36@sha256:…` → ("busybox", "1.36")."""
    name = image.split("@", 1)[0]
    repo, tag = name, ""
    if ":" in name.rsplit("/", 1)[-1]:
        repo, tag = name.rsplit(":", 1)
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"):
        if repo.startswith(prefix) and (prefix.endswith("library/") or repo.count("/") > 1):
            repo = repo[len(prefix):]
    return repo.lower(), tag.lower()


def known_shellless(image: str | None) -> str | None:
    """Why a well-known image has no shell, or None when it has one (or we do not know)."""
    if not image:
        return None
    repo, tag = _repository(image)
    if repo in SHELLLESS_REPOSITORIES:
        return "scratch has no files at all" if repo == "scratch" else f"{repo} is built FROM scratch"
    if repo.startswith(SHELLLESS_PREFIXES[0]) and "debug" not in tag:
        return f"{repo} is distroless (no shell; its :debug tag has one)"
    if repo.startswith(SHELLLESS_PREFIXES[1]) and "dev" not in tag:
        return f"{repo} is a Chainguard image without a shell (its -dev tag has one)"
    if repo.startswith(SHELLLESS_PREFIXES[2]):
        return f"{repo} is built FROM scratch"
    return None
