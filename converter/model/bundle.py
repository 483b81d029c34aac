"""What translation produces: Kubernetes objects (plain dicts), a trace and findings.

Objects are plain JSON-like dicts so that no layer below `cluster` needs a Kubernetes library.
The trace ties each Compose key to the Kubernetes field(s) it became; the report, `kubemap
explain` and docs/conversion.md are generated from it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TraceStatus = Literal["mapped", "approximated", "unsupported"]
Severity = Literal["info", "warning", "error"]


class TraceEntry(BaseModel):
    """One Compose key and what it became.

    source: key path in Compose terms, e.g. "services.api.ports[0]".
    targets: "Kind/name .field.path" strings, e.g. "Service/api .spec.ports[0]"; empty when
    nothing was produced.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    source: str
    targets: list[str] = Field(default_factory=list)
    rule: str  # e.g. "R-PORTS-01"
    status: TraceStatus
    reason: str = ""
    service: str | None = None  # owning compose service, None for top-level keys
    # Within `service`: the key path below it ("ports[0].published") and its top-level key
    # ("ports"); for a top-level entry, `source` and its first key. Stored when the entry is made
    # (key_of_source), so nobody parses `source` back apart.
    path: str = Field(default="", exclude=True)
    key: str = Field(default="", exclude=True)


def key_of_source(source: str, service: str | None) -> tuple[str, str]:
    """(path, key) of a trace source: the path below `services.<service>` when the source is
    one of that service's keys (else the whole source), and the first key of that path."""
    prefix = f"services.{service}"
    path = source
    if service is not None and (source == prefix or source.startswith((prefix + ".", prefix + "["))):
        path = source[len(prefix):].lstrip(".")
    return path, re.split(r"[.\[]", path, maxsplit=1)[0]


# A finding code other layers act on: `convert --strict` refuses it, `report` repeats it on stderr.
UNSET_VARIABLE = "KM-W-VAR-UNSET"


class Finding(BaseModel):
    """A warning or note with a stable code, e.g. KM-W-SECRET-ENV."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    code: str
    severity: Severity
    source: str  # compose key path
    message: str
    hint: str = ""
    # The service whose key `source` is, when it is one, and that key (key_of_source); derived
    # from `source`, so left out of what is written (findings.yaml, JSON).
    service: str | None = Field(default=None, exclude=True)
    key: str = Field(default="", exclude=True)


class ManifestObject(BaseModel):
    """One Kubernetes object and the compose service it belongs to (None for shared objects)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    service: str | None
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def name(self) -> str:
        return str(self.body.get("metadata", {}).get("name", ""))


# Compose publishes a port on every interface unless the port names a host_ip.
ALL_INTERFACES = "0.0.0.0"


class HostPort(BaseModel):
    """A port Compose publishes on the host, and the fixed nodePort that carries it in the
    cluster: one kind `extraPortMapping` (kind-config.yaml), so `localhost:<host_port>` reaches
    the Service as under Compose."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    service: str  # the Service whose port has the nodePort
    host_port: int
    node_port: int
    protocol: Literal["tcp", "udp", "sctp"] = "tcp"
    host_ip: str = ALL_INTERFACES  # the address the host port listens on


class BuiltImage(BaseModel):
    """A service's image that `docker compose build` makes (`local`), and the name the
    manifests use for it (`deployed`: the same, or its name in the `--registry`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    service: str
    local: str
    deployed: str


class Bundle(BaseModel):
    """The complete result of translating one project."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    project: str
    source_files: list[str]
    namespace: str | None = None  # the namespace every object was put in (--namespace), if any
    objects: list[ManifestObject] = Field(default_factory=list)
    trace: list[TraceEntry] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    # Published host ports and their nodePorts, for kind's extraPortMappings.
    host_ports: list[HostPort] = Field(default_factory=list)
    # Images known to have no shell (image -> why), for `kubemap lint` (R-IMAGE-04).
    shellless_images: dict[str, str] = Field(default_factory=dict)
    # Images of services with `build:`: what Compose builds and the name the manifests use.
    built_images: list[BuiltImage] = Field(default_factory=list)
