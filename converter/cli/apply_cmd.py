"""`kubemap apply`: server-side apply of kubemap's manifests, with prune and wait."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from converter.cli.app import app, err_console
from converter.cli.options import TimeoutOpt, project_options
from converter.errors import ClusterError
from converter.load.options import LoadOptions

if TYPE_CHECKING:
    from converter.pipeline import Conversion
    from converter.translate.options import TranslateOptions
    from converter.cluster import ObjectResult, WorkloadStatus

KustomizeDirOpt = Annotated[
    Optional[Path],
    typer.Option("-k", "--kustomize-dir", help="Folder of rendered manifests (the output of "
                 "`kubemap convert`, read through its kustomization.yaml). Without it the Compose "
                 "project (-f ...) is converted on the fly.", show_default=False),
]
ContextOpt = Annotated[
    Optional[str], typer.Option("--context", help="kubeconfig context (default: the current one).",
                                show_default=False)]
KubeconfigOpt = Annotated[
    Optional[Path], typer.Option("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, "
                                 "then ~/.kube/config).", show_default=False)]
NamespaceOpt = Annotated[
    Optional[str],
    typer.Option("-n", "--namespace", help="Namespace for every namespaced object (default: the "
                 "kustomization's namespace, the objects' own, else the project name).",
                 show_default=False),
]


@dataclass(frozen=True)
class Source:
    """The objects to apply or compare, and the names they belong to."""

    objects: list[dict[str, Any]]
    project: str | None
    namespace: str
    conversion: Conversion | None = None  # when converted from the Compose project (not -k)


def load_source(project: LoadOptions, *, kustomize_dir: Path | None, namespace: str | None,
                translate: TranslateOptions | None = None) -> Source:
    """Objects from a rendered folder (-k), or converted from the Compose project with
    `translate` (`kubemap up`: kind's nodePort policy, --registry)."""
    from converter.cluster import project_of, read_manifests
    from converter.model.kube import valid_namespace
    from converter.pipeline import ConvertOptions, TranslateOptions, convert

    folder_namespace = None
    conversion = None
    if kustomize_dir is not None:
        manifests = read_manifests(kustomize_dir)
        objects, folder_namespace = manifests.objects, manifests.namespace
        name = project_of(objects)
    else:
        conversion = convert(ConvertOptions(load=project, translate=translate or TranslateOptions()))
        bundle = conversion.bundle
        objects = [dict(obj.body) for obj in bundle.objects]
        name = project_of(objects) or bundle.project
    if not objects:
        raise ClusterError("there are no objects to apply", hint="check -k / -f")
    chosen = namespace or folder_namespace or _common_namespace(objects) or name or "default"
    if not valid_namespace(chosen):
        raise ClusterError(f"namespace {chosen!r} is not a valid namespace name",
                           hint="pass --namespace with lower-case letters, digits and '-'")
    return Source(objects, name, chosen, conversion)


def _common_namespace(objects: list[dict[str, Any]]) -> str | None:
    spaces = {(o.get("metadata") or {}).get("namespace") for o in objects if o.get("kind") != "Namespace"}
    spaces.discard(None)
    return spaces.pop() if len(spaces) == 1 else None


class DryRun(str, Enum):
    none = "none"
    server = "server"


class RolloutDisplay:
    """One line per workload: ready/desired (Job: completions). Live-updating on a terminal,
    a line per change otherwise (CI logs)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live: Live | None = Live(console=console, transient=False, auto_refresh=False) \
            if console.is_terminal else None
        self.last: dict[str, str] = {}

    def __enter__(self) -> RolloutDisplay:
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.live.__exit__(None, None, None)

    def update(self, statuses: list[WorkloadStatus]) -> None:
        if self.live:
            table = Table(show_header=True, header_style="bold", box=None)
            for column in ("workload", "ready", "state"):
                table.add_column(column)
            for s in statuses:
                table.add_row(str(s.ref), _count(s), _state(s))
            self.live.update(table, refresh=True)
            return
        for s in statuses:
            line = f"{s.ref}: {_count(s)} {_state(s)}"
            if self.last.get(str(s.ref)) != line:
                self.last[str(s.ref)] = line
                self.console.print(line, markup=False, highlight=False)


def _count(status: WorkloadStatus) -> str:
    suffix = " completions" if status.note == "completions" else ""
    return f"{status.ready}/{status.desired}{suffix}"


def _state(status: WorkloadStatus) -> str:
    if status.failed:
        return f"failed: {status.failed}"
    if status.done:
        return "done" if status.ref.kind == "Job" else "ready"
    extra = status.note if status.note not in ("", "completions") else ""
    return "waiting" + (f" ({extra})" if extra else "")


@app.command(
    "apply",
    epilog=(
        "**Examples**\n\n"
        "* `kubemap apply -k k8s --wait` — apply what `kubemap convert` wrote, wait for rollout\n\n"
        "* `kubemap apply -f compose.yaml --namespace shop --prune` — convert and apply in one go\n\n"
        "* `kubemap apply -k k8s --dry-run=server` — let the API server validate, change nothing"
    ),
)
@project_options
def apply_command(
    *,
    project: LoadOptions,
    kustomize_dir: KustomizeDirOpt = None,
    context: ContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    namespace: NamespaceOpt = None,
    dry_run: Annotated[
        DryRun, typer.Option("--dry-run", help="`server`: the API server validates and defaults every "
                             "object (and what --prune would delete) but stores nothing. `none`: apply.",
                             case_sensitive=False)
    ] = DryRun.none,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete objects of this project (label "
                           "kubemap.io/project) that kubemap applied before but no longer generates.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait until Deployments, StatefulSets and DaemonSets are "
                           "ready and Jobs complete, showing progress.")
    ] = False,
    timeout: TimeoutOpt = "5m",
    force_conflicts: Annotated[
        bool, typer.Option("--force-conflicts", help="Take over fields another field manager "
                           "owns instead of failing on the conflict.")
    ] = False,
) -> None:
    """Apply the manifests to a cluster with server-side apply (field manager `kubemap`).

    Creates the namespace when it is missing, applies objects in dependency order (config,
    secrets, claims and Services before workloads), optionally prunes and waits. Every step is
    idempotent: after an interruption, running the same command again converges.

    Exit codes: 0 applied (and ready, with --wait); 2 error (unreachable cluster, forbidden,
    invalid object, conflict, timeout; the message says which); 130 interrupted.
    """
    from converter.cluster import ApplyOptions, apply_objects, connect, wait_for, workloads_of

    out = Console(highlight=False)
    try:
        source = load_source(project, kustomize_dir=kustomize_dir, namespace=namespace)
        client = connect(str(kubeconfig) if kubeconfig else None, context)
        options = ApplyOptions(namespace=source.namespace, project=source.project,
                               dry_run=dry_run is DryRun.server, force_conflicts=force_conflicts, prune=prune)

        def show(result: ObjectResult) -> None:
            out.print(f"{result.ref} {result.action}", markup=False)

        result = apply_objects(client, source.objects, options, show)
        pruned = f", {len(result.pruned)} pruned" if result.pruned else ""
        err_console.print(f"applied {len(result.applied)} objects to namespace {source.namespace} "
                          f"(context {client.context}){pruned}", markup=False)
        if wait and not options.dry_run:
            workloads = workloads_of(source.objects, source.namespace)
            with RolloutDisplay(err_console.target) as display:  # type: ignore[attr-defined]
                wait_for(client, workloads, timeout, display.update)
            err_console.print(f"all {len(workloads)} workloads ready", markup=False)
    except KeyboardInterrupt:
        err_console.print("\ninterrupted: the objects applied so far stay; re-run the same command "
                          "to converge (each apply is idempotent).", markup=False)
        sys.stdout.flush()
        raise typer.Exit(code=130) from None
