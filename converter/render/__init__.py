"""render: Bundle → deterministic, validated Kubernetes manifest files.

Public API:
- render(bundle, RenderOptions) → {file name: bytes}: one file per compose service, `_shared.yaml`,
  `kustomization.yaml`, `kind-config.yaml`; every object validated (strict) first.
- render_stream(bundle, RenderOptions) → bytes: everything in one stream (for --stdout).
- write_output(files, out_dir) → WriteResult: atomic write, stale kubemap files removed.
"""

from converter.render.render import OutputFormat, RenderOptions, render, render_stream
from converter.render.validate import newest_kube_version, supported_kube_versions, validate_object
from converter.render.write import WriteResult, write_output

__all__ = [
    "OutputFormat",
    "RenderOptions",
    "WriteResult",
    "newest_kube_version",
    "render",
    "render_stream",
    "supported_kube_versions",
    "validate_object",
    "write_output",
]
