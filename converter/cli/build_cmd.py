"""`kubemap build`: the images of every service with `build:`, built with Docker Compose, tagged
for a registry and pushed there, for clusters that cannot `kind load`."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console

from converter.cli.app import app, err_console
from converter.cli.options import RegistryOpt, project_options
from converter.load.options import LoadOptions


@app.command(
    "build",
    epilog=(
        "**Examples**\n\n"
        "* `kubemap build` — `docker compose build` of every service with `build:`, under the names the "
        "manifests use\n\n"
        "* `kubemap build --push --registry 127.0.0.1:5051` — and push them to a registry on this machine, "
        "as REGISTRY/NAME:TAG (what `kubemap convert --registry 127.0.0.1:5051` names them)\n\n"
        "* `kubemap build --push --registry ghcr.io/acme && kubemap convert --registry ghcr.io/acme -o k8s && "
        "kubectl apply -k k8s` — for any cluster that can pull from ghcr.io/acme\n\n"
        "* `kubemap build --push` — push to the registries the services' `image:` names\n\n"
        "**Exit codes**: 0 built (and pushed); 2 error (the build's or push's last lines and what to do)."
    ),
)
@project_options
def build_command(
    *,
    project: LoadOptions,
    registry: RegistryOpt = None,
    push: Annotated[bool, typer.Option("--push", help="Push the images after building them (to --registry, "
                                       "else to the registries their `image:` names).")] = False,
) -> None:
    """Build the images of every service with `build:` with Docker Compose (v2 or later, so they
    get the names kubemap gives them), tag them for `--registry` and `--push` them.

    The images are named as `kubemap convert` (with the same `--registry`) names them in the
    manifests: `<project>-<service>:latest`, or the service's `image:`, and with `--registry
    REGISTRY` `REGISTRY/<repository path>:<tag>` (a registry in `image:` is replaced). Docker
    pushes over plain HTTP only to registries on 127.0.0.0/8; others need TLS or the engine's
    insecure-registries. Prints each image pushed (or tagged), one per line.
    """
    from converter.cli.live import ConsoleReporter
    from converter.model.registry import check_registry
    from converter.pipeline import ConvertOptions, TranslateOptions, convert
    from converter.up import BuildPlan
    from converter.up.images import build
    from converter.up.registry import tag_and_push

    out = Console(highlight=False)
    started = time.monotonic()
    chosen = check_registry(registry) if registry else None
    conversion = convert(ConvertOptions(load=project, translate=TranslateOptions(registry=chosen), lint=False))
    loaded = conversion.project
    built = list(conversion.bundle.built_images)
    if not built:
        err_console.print(f"build: {loaded.name} has no service with build:; nothing to do", markup=False)
        return
    plan = BuildPlan.of(loaded, project, built)
    with ConsoleReporter(err_console) as reporter:
        build(plan, reporter, again="run kubemap build again")
        pushed = tag_and_push(built, push, reporter)
    what = f"pushed {len(pushed)}" if push else f"built {len(built)}"
    err_console.print(f"build: {loaded.name}: {what} image(s) in {time.monotonic() - started:.0f}s",
                      markup=False, soft_wrap=True)
    for image in [p.image for p in pushed] if push else sorted({b.deployed for b in built}):
        out.print(image, markup=False, soft_wrap=True)
