"""`kubemap up`: a Compose project onto a local kind cluster (or an existing one) in one command,
with live progress; the options `down` and `status` share."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

from converter.cli.apply_cmd import KubeconfigOpt, KustomizeDirOpt, NamespaceOpt, Source, load_source
from converter.cli.app import app, err_console
from converter.cli.options import TimeoutOpt, keyword_parameters, option_group, project_options
from converter.load.options import LoadOptions

if TYPE_CHECKING:
    from converter.up import Deployable, Target, Url

ContextOpt = Annotated[
    Optional[str],
    typer.Option("--context", show_default=False,
                 help="Use this existing cluster (a kubeconfig context) instead of a local kind cluster. "
                      "Nothing kind-specific happens then: no cluster is created and no image is loaded, "
                      "so its nodes must be able to pull the images."),
]
ClusterNameOpt = Annotated[
    str,
    typer.Option("--cluster-name", envvar="KIND_CLUSTER_NAME",
                 help="The local kind cluster to use or create when no --context is given (its context is "
                      "kind-NAME). One cluster serves many projects, each in its own namespace."),
]
WaitOpt = Annotated[
    bool, typer.Option("--wait/--no-wait", help="Wait until every service is ready (Jobs: complete), "
                       "showing a live per-service table; fail early, naming the service and why, when a "
                       "Pod cannot get there by waiting.")]


@dataclass(frozen=True)
class Placement:
    """Which objects (converted, or read from -k) go where (which cluster, which namespace): the
    options `up`, `down` and `status` share."""

    kustomize_dir: Path | None
    context: str | None
    kubeconfig: Path | None
    namespace: str | None
    cluster_name: str

    def target(self) -> Target:
        from converter.up import DEFAULT_CLUSTER, Target

        return Target(self.context, str(self.kubeconfig) if self.kubeconfig else None,
                      self.cluster_name or DEFAULT_CLUSTER)

    def deployable(self, project: LoadOptions, registry: str | None = None) -> Deployable:
        """The project's objects (converted with kind's nodePort policy and the built images named
        in `registry`, or read from -k), and how to build and host them."""
        from converter.translate.options import TranslateOptions

        translate = TranslateOptions(node_ports=node_ports_for(self.context), registry=registry)
        source = load_source(project, kustomize_dir=self.kustomize_dir, namespace=self.namespace, translate=translate)
        return deployable_from(source, project, self.kustomize_dir)


_PLACEMENT_PARAMETERS = keyword_parameters(
    ("kustomize_dir", KustomizeDirOpt, None),
    ("context", ContextOpt, None),
    ("kubeconfig", KubeconfigOpt, None),
    ("namespace", NamespaceOpt, None),
    ("cluster_name", ClusterNameOpt, "kubemap"),
)
# The cluster options of up, down and status, handed to the command as one `Placement`, `where`.
placement_options = option_group(_PLACEMENT_PARAMETERS, Placement, "where")


def node_ports_for(context: str | None) -> str:
    """On kind, published ports get fixed nodePorts (when the project does not say otherwise) so
    that kind's port mappings make them localhost:<host port>, as under Compose; on a cluster
    given by --context the API server picks them."""
    return "auto" if context else "fixed"


def deployable_from(source: Source, project_options: LoadOptions, kustomize_dir: Path | None) -> Deployable:
    """What `up` needs from the loaded project: its objects, a kind config with its published
    ports, and how Docker Compose builds its images."""
    from converter.render.kind_config import kind_cluster_config
    from converter.up import BuildPlan, Deployable
    from converter.up.kind import read_kind_config

    if kustomize_dir is not None or source.conversion is None or source.conversion.project is None:
        config = read_kind_config(kustomize_dir) if kustomize_dir is not None else None
        return Deployable(source.objects, source.project, source.namespace, kind_config=config)
    project = source.conversion.project
    bundle = source.conversion.bundle
    plan = BuildPlan.of(project, project_options, bundle.built_images)
    config = kind_cluster_config(bundle.host_ports) if bundle.host_ports else None
    return Deployable(source.objects, source.project, source.namespace, kind_config=config, build=plan)


def print_urls(out: Console, urls: list[Url]) -> None:
    width = max((len(u.service) for u in urls), default=0)
    for url in urls:
        note = f"  ({url.note})" if url.note else ""
        out.print(f"  {url.service:<{width}}  {url.url}{note}", markup=False, highlight=False, soft_wrap=True)


def interrupted(what: str) -> typer.Exit:
    err_console.print(f"\ninterrupted: {what}", markup=False, soft_wrap=True)
    sys.stdout.flush()
    return typer.Exit(code=130)


@app.command(
    "up",
    epilog=(
        "**Examples**\n\n"
        "* `kubemap up` — compose.yaml in this folder onto the kind cluster `kubemap` (created if missing)\n\n"
        "* `kubemap up -f compose/compose.yaml --env-file compose/.env.example` — what `make kind-up` runs\n\n"
        "* `kubemap up -k k8s` — the manifests `kubemap convert` wrote (images already built)\n\n"
        "* `kubemap up --context my-cluster -n shop` — an existing cluster; its nodes must pull the images\n\n"
        "* `kubemap up --no-wait && kubemap status` — apply, then look once\n\n"
        "* `kubemap up --registry 127.0.0.1:5051` — built images pushed to a registry on this machine and "
        "pulled from it by the kind node, instead of `kind load` (docs/kind.md)\n\n"
        "**What happens, in order**\n\n"
        "1. The project is converted in memory (as `kubemap convert` would) or read from `-k DIR`.\n\n"
        "2. Services with `build:` are built with `docker compose build` (Compose v2+), so the images get "
        "the names kubemap gave them.\n\n"
        "3. Without `--context`: the kind cluster `--cluster-name` is used, or created from the project's "
        "kind config (its published ports become the node's port mappings). Provider: Docker when it can "
        "run privileged containers, else Podman (KIND_EXPERIMENTAL_PROVIDER overrides). Node image: "
        "`--node-image`, else kubemap's own (built in a kubemap checkout, no registry needed) when it exists "
        "or kind's registry is unreachable (KIND_LOCAL_NODE=1/0 forces), else kind's default. A cluster "
        "kubemap creates is recorded in it (ConfigMap kube-system/kubemap-up) for `kubemap down`.\n\n"
        "4. Images the node lacks (compared by image ID) are loaded into it; the others are not. With "
        "`--registry REGISTRY` the built images are tagged `REGISTRY/NAME:TAG`, pushed there (after step 2) "
        "and pulled by every node from there (`crictl pull`) instead; for a registry on this machine's "
        "loopback, containerd on the node is told (certs.d/REGISTRY/hosts.toml) to reach it at the node's "
        "gateway, this machine as the node sees it, so the registry must listen there too (e.g. 0.0.0.0).\n\n"
        "5. Server-side apply into the namespace (default: the project name), pruning what kubemap applied "
        "before and no longer generates.\n\n"
        "6. A live table per service: workload, phase, ready/desired, restarts, last event. It stops early "
        "when a Pod cannot get ready by waiting (an image that cannot be pulled, a container that crashed "
        "3 times), naming the service and why.\n\n"
        "7. The URL of every published port.\n\n"
        "**Exit codes**: 0 up and ready; 2 error (the message names the step, the service and the reason); "
        "130 interrupted (Ctrl-C): what was done stays, and running `kubemap up` again converges."
    ),
)
@project_options
@placement_options
def up_command(
    *,
    project: LoadOptions,
    where: Placement,
    wait: WaitOpt = True,
    timeout: TimeoutOpt = "5m",
    build: Annotated[bool, typer.Option("--build/--no-build", help="Build the images of services with "
                                        "`build:` first (docker compose build).")] = True,
    prune: Annotated[bool, typer.Option("--prune/--no-prune", help="Delete objects kubemap applied for this "
                                        "project before and no longer generates.")] = True,
    force_conflicts: Annotated[bool, typer.Option("--force-conflicts", help="Take over fields another field "
                                                  "manager owns instead of failing.")] = False,
    node_image: Annotated[
        Optional[str], typer.Option("--node-image", envvar="KIND_NODE_IMAGE", show_default=False,
                                    help="Node image for a new kind cluster (default: see step 3 below)."),
    ] = None,
    host_port_offset: Annotated[
        int, typer.Option("--host-port-offset", help="Publish every host port this much higher on a new kind "
                          "cluster (when something else, e.g. the Compose stack, holds the ports).")
    ] = 0,
    registry: Annotated[
        Optional[str], typer.Option("--registry", show_default=False, metavar="REGISTRY",
                                    help="Push the built images to this registry (host[:port][/path]) and let "
                                    "the cluster pull them from there instead of `kind load` (see step 4).")
    ] = None,
) -> None:
    """Run a Compose project on Kubernetes: build, create or reuse a local kind cluster, load the
    images, apply, wait with a live table, print the URLs.

    Without --context everything happens on a local kind cluster (`--cluster-name`, default
    `kubemap`); with --context on that existing cluster, and nothing kind-specific is done (no
    cluster, no image loading: its nodes must be able to pull the images).
    """
    from converter.cli.live import ConsoleReporter
    from converter.model.registry import check_registry
    from converter.up import UpOptions, up

    out = Console(highlight=False)
    started = time.monotonic()
    try:
        chosen = check_registry(registry) if registry else None
        deployable = where.deployable(project, registry=chosen)
        options = UpOptions(wait=wait, timeout=timeout, prune=prune, force_conflicts=force_conflicts,
                            build=build, node_image=node_image, local_node=os.environ.get("KIND_LOCAL_NODE"),
                            host_port_offset=host_port_offset, registry=chosen)
        with ConsoleReporter(err_console) as reporter:
            result = up(where.target(), deployable, options, reporter)
        actions = ", ".join(f"{n} {a}" for a, n in sorted(reporter.actions.items()))
        ready = f", {len(result.statuses)} workload(s) ready" if wait else " (not waited for: --no-wait)"
        err_console.print(f"up: {deployable.project or deployable.namespace} in namespace {result.namespace} "
                          f"(context {result.context}) in {time.monotonic() - started:.0f}s: {actions}{ready}",
                          markup=False, soft_wrap=True)
        if result.urls:
            out.print("Published ports:", markup=False)
            print_urls(out, result.urls)
    except KeyboardInterrupt:
        raise interrupted("what was done so far stays (every step is idempotent); run kubemap up again to "
                          "converge, or kubemap down to remove it.") from None
