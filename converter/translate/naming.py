"""Kubernetes names from Compose names: RFC 1123 labels, with collisions as errors."""

from __future__ import annotations

import re
from collections.abc import Iterable

from converter.errors import TranslateError
from converter.translate.context import Context
from converter.translate.rules import rule

_INVALID = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
_KEY_INVALID = re.compile(r"[^-._a-zA-Z0-9]+")
MAX_LABEL = 63


def dns_label(name: str, max_len: int = MAX_LABEL) -> str:
    """Lower-case, `_`/`.`/other characters → `-`, trimmed to `max_len` without edge dashes."""
    label = _DASHES.sub("-", _INVALID.sub("-", name.lower())).strip("-")
    return label[:max_len].rstrip("-")


def service_label(name: str) -> str:
    """A Service name is an RFC 1035 label: it must also start with a letter (`1api` → `s-1api`)."""
    label = dns_label(name)
    if label and not label[0].isalpha():
        label = dns_label("s-" + label)
    return label


def config_key(name: str) -> str:
    """A valid ConfigMap/Secret data key (`[-._a-zA-Z0-9]+`)."""
    key = _KEY_INVALID.sub("_", name).strip("_")
    return key or "content"


def checked_names(kind: str, names: Iterable[str]) -> dict[str, str]:
    """Map each Compose name to its RFC 1123 label; two names mapping to one label is an error."""
    result: dict[str, str] = {}
    seen: dict[str, str] = {}
    to_label = service_label if kind == "services" else dns_label
    for original in sorted(names):
        label = to_label(original)
        if not label:
            raise TranslateError(
                f"{kind} name {original!r} has no letters or digits to build a Kubernetes name from",
                key_path=f"{kind}.{original}",
                hint="rename it",
            )
        if label in seen:
            raise TranslateError(
                f"{kind} names {seen[label]!r} and {original!r} both become {label!r} in Kubernetes",
                key_path=f"{kind}.{original}",
                hint="rename one of them so they differ in more than case, '_' or '.'",
            )
        seen[label] = original
        result[original] = label
    return result


@rule("R-NAME-01", "service/volume/secret/config names → RFC 1123 object names", keys=())
def sanitise_project_names(ctx: Context) -> dict[str, dict[str, str]]:
    """Every Compose name becomes an RFC 1123 label: lower case, `_` and `.` become `-`, at most
    63 characters; a service name must also start with a letter (it names a Service), so `1api`
    becomes `s-1api`. Compose allows names that Kubernetes rejects (`my_db`, `Web.1`). Two names
    that become the same label (`a_b` and `a.b`, or `Api` and `api`) are an error naming both,
    never a silent overwrite. A renamed service is reported, because its DNS name changes."""
    project = ctx.project
    names = {
        "services": checked_names("services", project.services),
        "volumes": checked_names("volumes", project.volumes),
        "secrets": checked_names("secrets", project.secrets),
        "configs": checked_names("configs", project.configs),
    }
    for original, label in names["services"].items():
        if label != original:
            ctx.finding(
                "KM-W-RENAMED",
                f"services.{original}",
                f"service {original!r} is named {label!r} in Kubernetes; peers that call it by "
                f"{original!r} will not resolve",
                "use an RFC 1123 name (lower case, digits, '-') in Compose",
            )
    return names
