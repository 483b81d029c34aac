"""`kubemap down`: remove what `kubemap up` put on the cluster, and the cluster if up made it."""

from __future__ import annotations

import time
from typing import Annotated, Optional

import typer

from converter.cli.app import app, err_console
from converter.cli.options import TimeoutOpt, project_options
from converter.cli.up_cmd import Placement, interrupted, placement_options
from converter.load.options import LoadOptions


@app.command(
    "down",
    epilog=(
        "**Examples**\n\n"
        "* `kubemap down` — remove the project in this folder from the kind cluster `kubemap`\n\n"
        "* `kubemap down -f compose/compose.yaml --env-file compose/.env.example` — what `make kind-down` runs\n\n"
        "* `kubemap down --cluster` — delete the whole kind cluster, every project in it\n\n"
        "* `kubemap down --keep-cluster` — only the project, even if up created the cluster for it\n\n"
        "**What is removed**: the project's namespace when kubemap created it (with everything in it, "
        "volumes' claims included, like `docker compose down -v`); in a namespace kubemap did not create "
        "(e.g. `default`), only the objects kubemap applied for the project. Then the kind cluster, when "
        "`kubemap up` created it for this project and no other kubemap project runs in it.\n\n"
        "**Exit codes**: 0 removed (or nothing was there); 2 error; 130 interrupted (run it again)."
    ),
)
@project_options
@placement_options
def down_command(
    *,
    project: LoadOptions,
    where: Placement,
    cluster: Annotated[
        Optional[bool],
        typer.Option("--cluster/--keep-cluster", show_default=False,
                     help="--cluster: delete the kind cluster with everything in it (no project needed). "
                          "--keep-cluster: never delete it. Default: delete it only when kubemap up created it "
                          "for this project and no other kubemap project is left in it."),
    ] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait until the namespace, its Pods and the "
                                       "volumes of its claims are gone.")] = True,
    timeout: TimeoutOpt = "5m",
) -> None:
    """Remove a project that `kubemap up` started: its namespace (or its objects), then the kind
    cluster if up created it for this project. Running it again, or with nothing there, is fine."""
    from converter.cli.live import ConsoleReporter
    from converter.up import Deployable, DownOptions, down

    started = time.monotonic()
    try:
        target = where.target()
        if cluster and not where.context:
            # the whole cluster goes: no project needed
            deployable = Deployable([], None, where.namespace or "default")
        else:
            deployable = where.deployable(project)
        with ConsoleReporter(err_console) as reporter:
            result = down(target, deployable, DownOptions(cluster=cluster, wait=wait, timeout=timeout), reporter)
        took = f"in {time.monotonic() - started:.0f}s"
        if result.nothing_there:
            err_console.print(f"down: there is no kind cluster named {target.cluster_name}; nothing to remove",
                              markup=False, soft_wrap=True)
            return
        said = []
        removal = result.removal
        if removal is not None:
            if not removal.existed:
                said.append(f"namespace {removal.namespace} was not there")
            elif removal.namespace_deleted:
                said.append(f"namespace {removal.namespace} deleted")
            else:
                said.append(f"{removal.objects_deleted} object(s) of {deployable.project} deleted from namespace "
                            f"{removal.namespace} (kept: kubemap did not create it)")
        if result.cluster_deleted:
            said.append(f"kind cluster {target.cluster_name} deleted")
        elif not where.context:
            said.append(f"kind cluster {target.cluster_name} kept ({result.cluster_kept_because})")
        err_console.print(f"down ({result.context}) {took}: " + "; ".join(said), markup=False, soft_wrap=True)
    except KeyboardInterrupt:
        raise interrupted("run kubemap down again to finish.") from None
