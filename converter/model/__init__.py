"""Typed models shared by every stage: the loaded Compose project and the translated Bundle."""

from converter.model.bundle import Bundle, Finding, HostPort, ManifestObject, TraceEntry
from converter.model.project import (
    Build,
    Deploy,
    DependsOn,
    FileObject,
    FileReference,
    Healthcheck,
    HostPath,
    Network,
    PortMapping,
    Project,
    Resources,
    ResourceSpec,
    RestartPolicy,
    Service,
    ServiceNetwork,
    SourceRef,
    Ulimit,
    VariableUse,
    Volume,
    VolumeMount,
)

__all__ = [
    "Build", "Bundle", "Deploy", "DependsOn", "FileObject", "FileReference", "Finding",
    "Healthcheck", "HostPath", "HostPort", "ManifestObject", "Network", "PortMapping", "Project", "Resources",
    "ResourceSpec", "RestartPolicy", "Service", "ServiceNetwork", "SourceRef", "TraceEntry",
    "Ulimit", "VariableUse", "Volume", "VolumeMount",
]
