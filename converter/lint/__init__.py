"""`kubemap lint`: meaning-level checks of Kubernetes manifests, generated or hand-written.

The schema says whether an object is valid; these checks say whether it would run and behave
like the Compose service it came from: a ReadWriteOnce claim with a rolling update, a read-only
data directory, a shell-less image asked to run a shell, a Job that others treat as a server,
a loopback-only port opened on every node, nodePorts asked for twice, hostPath volumes, a pod
without a usable resolver. Pure: objects in, findings out (reading files is `manifests.py`).
`kubemap convert` runs the same checks on what it generated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from converter.lint.checks import CHECKS, LintInput
from converter.model import Finding


def lint(objects: Iterable[Mapping[str, Any]], shellless_images: Mapping[str, str] | None = None) -> list[Finding]:
    """Every finding of every check, in a stable order. `shellless_images` adds images known to
    have no shell (image → why; convert knows them from the project's Dockerfiles)."""
    data = LintInput.of(list(objects), dict(shellless_images or {}))
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(data))
    return sorted(findings, key=lambda f: (f.source, f.code, f.message))


__all__ = ["CHECKS", "lint"]
