"""`kubemap lint`: meaning-level checks of Kubernetes manifests (generated or hand-written)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from converter.cli.app import app, err_console
from converter.cli.findings import finding_line

EXIT_FINDINGS = 1


@app.command(
    "lint",
    epilog=(
        "**Checks**\n\n"
        "* KM-L-RWO-ROLLING — a ReadWriteOnce claim in a Deployment that rolls (needs Recreate)\n\n"
        "* KM-L-RO-DATA — a read-only mount over an image's data directory\n\n"
        "* KM-L-NO-SHELL — an init container, exec probe or hook running a shell in a shell-less image\n\n"
        "* KM-L-JOB-SERVER — a Job with ports, behind a Service, or waited for like a server\n\n"
        "* KM-L-LOOPBACK — a debugger or loopback-bound port exposed by a NodePort/LoadBalancer\n\n"
        "* KM-L-NODEPORT — a nodePort asked for twice, or outside 30000-32767\n\n"
        "* KM-L-HOSTPATH — a hostPath volume (accepted when listed in the pod template annotation "
        "lint.kubemap.io/accept-host-paths)\n\n"
        "* KM-L-DNS-NONE — dnsPolicy None without nameservers a pod can use\n\n"
        "**Examples**\n\n"
        "* `kubemap lint k8s` — what kubemap convert wrote (convert runs the same checks)\n\n"
        "* `kubemap lint deploy/*.yaml`\n\n"
        "* `helm template ./chart | kubemap lint -`"
    ),
)
def lint_command(
    *,
    paths: Annotated[
        Optional[list[str]],
        typer.Argument(help="Manifest files (YAML streams or JSON), directories of them, or - for stdin. "
                       "Default: k8s", show_default=False),
    ] = None,
) -> None:
    """Check Kubernetes manifests for what would not run, or not behave like Compose.

    Valid is not working: the schema accepts a database Deployment whose new pod waits for ever
    on its ReadWriteOnce volume. lint reads the objects by meaning (see the checks below) and
    prints one line per finding to stdout: `warning CODE Kind/name .field: what (what to do)`.

    Exit codes: 0 nothing found; 1 findings; 2 the manifests cannot be read (bad YAML/JSON, not
    Kubernetes objects, missing path).
    """
    from converter.lint import lint
    from converter.lint.manifests import read_manifests

    objects = read_manifests(paths or ["k8s"])
    findings = lint(objects)
    for finding in findings:
        typer.echo(finding_line(finding))
    err_console.print(f"{len(objects)} objects, {len(findings)} finding{'' if len(findings) == 1 else 's'}",
                      markup=False)
    if findings:
        raise typer.Exit(code=EXIT_FINDINGS)
