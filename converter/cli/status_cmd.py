"""`kubemap status`: the per-service table of `kubemap up`, once, and the URLs."""

from __future__ import annotations

import typer
from rich.console import Console

from converter.cli.app import app, err_console
from converter.cli.options import project_options
from converter.cli.up_cmd import Placement, placement_options, print_urls
from converter.load.options import LoadOptions


@app.command(
    "status",
    epilog=(
        "**Examples**\n\n"
        "* `kubemap status` — the project in this folder, on the kind cluster `kubemap`\n\n"
        "* `kubemap status -f compose/compose.yaml --env-file compose/.env.example`\n\n"
        "* `kubemap status --context my-cluster -n shop`\n\n"
        "**Columns**: SERVICE (the Compose service), WORKLOAD, PHASE (as `kubectl get pods` shows it: "
        "Running, Init:0/1, ImagePullBackOff, CrashLoopBackOff, Pending, Completed, ...), READY "
        "(ready/desired; Jobs: completions), RESTARTS (of all its containers), LAST EVENT.\n\n"
        "**Exit codes**: 0 every service ready; 1 some are not (the table says which, and below it "
        "why); 2 error."
    ),
)
@project_options
@placement_options
def status_command(*, project: LoadOptions, where: Placement) -> None:
    """Show, once, how each service of a project started with `kubemap up` is doing, and its URLs."""
    from converter.cli.live import ConsoleReporter
    from converter.up import status

    out = Console(highlight=False)
    result = status(where.target(), where.deployable(project), ConsoleReporter(err_console))
    ConsoleReporter(out).show_table(result.statuses)
    waiting = [s for s in result.statuses if not s.done]
    for s in waiting:
        why = s.failed or (s.problem.text if s.problem else s.phase or "not ready yet")
        err_console.print(f"service {s.service or s.ref.name}: {why}", markup=False, soft_wrap=True)
    if result.urls:
        out.print("Published ports:", markup=False)
        print_urls(out, result.urls)
    err_console.print(f"{len(result.statuses) - len(waiting)}/{len(result.statuses)} workload(s) ready in namespace "
                      f"{result.namespace} (context {result.context})", markup=False)
    if waiting:
        raise typer.Exit(code=1)
