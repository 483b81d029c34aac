"""up: a Compose project onto a local kind cluster (or an existing one), and off it again.

This package runs the local tools (Docker Compose's build, kind, Docker/Podman) and decides what
to do; every request to the Kubernetes API goes through converter.cluster. Nothing here prints:
progress goes to a Reporter the CLI provides.

- up(target, deployable, UpOptions, reporter) -> UpResult
- down(target, deployable, DownOptions, reporter) -> DownResult
- status(target, deployable, reporter) -> StatusResult
"""

from converter.up.images import BuildPlan
from converter.up.lifecycle import (
    DEFAULT_CLUSTER,
    Deployable,
    DownOptions,
    DownResult,
    StatusResult,
    Target,
    UpOptions,
    UpResult,
    down,
    status,
    up,
)
from converter.up.process import ToolError
from converter.up.progress import Reporter
from converter.up.urls import Url

__all__ = [
    "DEFAULT_CLUSTER",
    "BuildPlan",
    "Deployable",
    "DownOptions",
    "DownResult",
    "Reporter",
    "StatusResult",
    "Target",
    "ToolError",
    "UpOptions",
    "UpResult",
    "Url",
    "down",
    "status",
    "up",
]
