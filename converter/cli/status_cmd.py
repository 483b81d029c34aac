"""`kubemap status`: the per-service table of `kubemap up`, once, and the URLs."""

from __future__ import annotations

import typer
from rich.console import Console

from converter.cli.apply_cmd import KubeconfigOpt, KustomizeDirOpt, NamespaceOpt, load_source
from converter.cli.app import app, err_console, fail
from converter.cli.options import EnvFileOpt, FileOpt, ProfileOpt, ProjectDirOpt, ProjectNameOpt, ShellEnvOpt
from converter.cli.up_cmd import ClusterNameOpt, ContextOpt, deployable_from, node_ports_for, print_urls
from converter.errors import KubemapError


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
def status_command(
    files: FileOpt = None,
    env_files: EnvFileOpt = None,
    profiles: ProfileOpt = None,
    project_name: ProjectNameOpt = None,
    project_directory: ProjectDirOpt = None,
    use_shell_env: ShellEnvOpt = False,
    kustomize_dir: KustomizeDirOpt = None,
    context: ContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    namespace: NamespaceOpt = None,
    cluster_name: ClusterNameOpt = "kubemap",
) -> None:
    """Show, once, how each service of a project started with `kubemap up` is doing, and its URLs."""
    from converter.cli.live import ConsoleReporter
    from converter.up import DEFAULT_CLUSTER, Target, status

    out = Console(highlight=False)
    try:
        source = load_source(kustomize_dir, namespace, files, env_files, profiles, project_name,
                             project_directory, use_shell_env,
                             node_ports=node_ports_for(context))
        deployable = deployable_from(source, kustomize_dir, env_files, profiles)
        target = Target(context, str(kubeconfig) if kubeconfig else None, cluster_name or DEFAULT_CLUSTER)
        reporter = ConsoleReporter(err_console)
        result = status(target, deployable, reporter)
    except KubemapError as error:
        raise fail(error) from None
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
