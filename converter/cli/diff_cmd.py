"""`kubemap diff`: generated vs live (like `kubectl diff`), or two projects / folders."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from converter.cli.app import app, err_console
from converter.cli.apply_cmd import ContextOpt, KubeconfigOpt, KustomizeDirOpt, NamespaceOpt, load_source
from converter.cli.options import load_options, project_options
from converter.errors import ClusterError
from converter.load.options import LoadOptions

COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


def _objects_at(path: Path) -> list[dict[str, Any]]:
    """A compose file or project folder is converted; anything else is read as manifests."""
    from converter.cluster import read_manifests

    compose_file = None
    if path.is_file() and "compose" in path.name and path.suffix in (".yaml", ".yml"):
        compose_file = path
    elif path.is_dir():
        compose_file = next((path / n for n in COMPOSE_NAMES if (path / n).is_file()), None)
    if compose_file is None:
        return read_manifests(path).objects
    from converter.pipeline import ConvertOptions, convert

    return [dict(o.body) for o in convert(ConvertOptions(load=load_options(files=[compose_file]))).bundle.objects]


@app.command(
    "diff",
    epilog=(
        "**Examples**\n\n"
        "* `kubemap diff -k k8s` — what `kubemap apply -k k8s` would change in the cluster\n\n"
        "* `kubemap diff old/compose.yaml new/compose.yaml` — two compose projects, no cluster\n\n"
        "* `kubemap diff k8s-before k8s --output json` — two manifest folders"
    ),
)
@project_options
def diff_command(
    *,
    project: LoadOptions,
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Two compose projects (file or folder) or manifest folders to compare "
                       "with each other instead of with the cluster.", show_default=False),
    ] = None,
    kustomize_dir: KustomizeDirOpt = None,
    context: ContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    namespace: NamespaceOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="Also list the objects `apply --prune` "
                                        "would delete.")] = False,
    output: Annotated[OutputFormat, typer.Option("-o", "--output", help="text: a unified diff per "
                                                 "object. json: a list of {kind, name, namespace, "
                                                 "change, diff}. markdown / html: the two sides "
                                                 "next to each other, like `kubemap report` "
                                                 "(html is one self-contained page: "
                                                 "`-o html > diff.html`).", case_sensitive=False)] = OutputFormat.text,
) -> None:
    """Show how the generated objects differ from the live cluster (server-side dry-run apply,
    then a field-level comparison that ignores server-managed fields), or how two compose
    projects / manifest folders differ. Secret values are masked (`***`, `***changed***`).

    Exit codes (like `kubectl diff`): 0 no differences; 1 differences; 2 error.
    """
    from converter.cluster import connect, diff_live, diff_sets, differs

    sides = ("live", "generated")
    if paths:
        if len(paths) != 2:
            raise ClusterError(f"diff takes two paths to compare, got {len(paths)}",
                               hint="kubemap diff OLD NEW, or no paths to compare with the cluster")
        sides = (str(paths[0]), str(paths[1]))
        diffs = diff_sets(_objects_at(paths[0]), _objects_at(paths[1]), sides)
    else:
        source = load_source(project, kustomize_dir=kustomize_dir, namespace=namespace)
        client = connect(str(kubeconfig) if kubeconfig else None, context)
        diffs = diff_live(client, source.objects, source.namespace, source.project, include_prune=prune)

    out = Console(highlight=False, soft_wrap=True)
    if output == OutputFormat.json:
        typer.echo(json.dumps([d.as_json() for d in diffs], indent=2, sort_keys=True))
    elif output in (OutputFormat.markdown, OutputFormat.html):
        from converter.report.diff_report import DiffEntry, render_diff_html, render_diff_markdown

        entries = [DiffEntry(f"{d.ref.kind}/{d.ref.name}", d.change, d.diff) for d in diffs]
        render = render_diff_markdown if output == OutputFormat.markdown else render_diff_html
        typer.echo(render(entries, *sides), nl=False)
    else:
        for d in diffs:
            if d.change == "same":
                continue
            for line in d.diff.splitlines():
                style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
                out.print(line, style=style, markup=False)
    counts = {c: sum(1 for d in diffs if d.change == c) for c in ("added", "changed", "removed", "same")}
    err_console.print(", ".join(f"{n} {c}" for c, n in counts.items()), markup=False)
    raise typer.Exit(code=1 if differs(diffs) else 0)
