"""Container image, build-only services and pull policy."""

from __future__ import annotations

import re

from converter.errors import TranslateError
from converter.model.bundle import BuiltImage
from converter.model.images import known_shellless
from converter.model.registry import registry_image
from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import project_label
from converter.translate.rules import rule
from converter.translate.variables import unset_names

PULL_POLICIES = {"always": "Always", "never": "Never", "missing": "IfNotPresent",
                 "if_not_present": "IfNotPresent"}


@rule("R-IMAGE-01", "image → containers[].image", keys=("image",))
def map_image(ctx: Context, plan: ServicePlan) -> None:
    """`image` is used unchanged as the container image. A service with `build` and no `image`
    gets the name `docker compose build` gives it, `<project>-<service>:latest`, and
    `imagePullPolicy: IfNotPresent` so that an image loaded into the cluster (`kind load
    docker-image`) is used instead of pulled. With both `build` and `image`, Compose tags the
    build with `image`, so that name is kept. With `--registry REGISTRY` a built image is run
    from there instead: `REGISTRY/<repository path>:<tag>` (`127.0.0.1:5051/shop-api:latest`;
    a registry the `image:` names is replaced), `IfNotPresent`, where `kubemap build --push
    --registry REGISTRY` (or `kubemap up --registry`) puts it. An image whose name or tag is
    empty (an unset variable: `postgres:${TAG}`) is an error naming the variable."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.image is not None:
        _check_reference(ctx, plan, svc.image)
    if svc.image:
        plan.image = svc.image
    elif svc.build is not None:
        plan.image = f"{project_label(ctx)}-{plan.name}:latest"
        plan.container["imagePullPolicy"] = "IfNotPresent"
    if svc.build is not None:
        local = plan.image
        if ctx.options.registry:
            plan.image = registry_image(local, ctx.options.registry)
            plan.container["imagePullPolicy"] = "IfNotPresent"
        ctx.built_images.append(BuiltImage(service=svc.name, local=local, deployed=plan.image))
    if svc.image:
        moved = f"built and run from --registry as {plan.image}" if plan.image != svc.image else ""
        t.mapped(src(plan, "image"), plan.container_field("image"), "R-IMAGE-01", reason=moved)
    elif svc.build is None:
        plan.image = f"{project_label(ctx)}-{plan.name}:latest"
        ctx.finding("KM-W-NO-IMAGE", src(plan, "image"),
                    f"service has neither image nor build; using {plan.image}",
                    "add an image: key")
    plan.container["image"] = plan.image


_REFERENCE = re.compile(r"^[^\s:@/][^\s@]*?(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?(@[a-z0-9]+:[a-fA-F0-9]+)?$")


def _check_reference(ctx: Context, plan: ServicePlan, image: str) -> None:
    """An image whose name or tag interpolated to nothing (`${REGISTRY}/app`, `postgres:${TAG}`
    with the variable unset) would be pulled as something else or rejected: an error."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    broken = (not image.strip() or name.startswith("/") or "//" in name or name.endswith(("/", ":"))
              or last.startswith(":") or not _REFERENCE.match(image))
    if not broken:
        return
    names = unset_names(ctx, src(plan, "image"))
    because = f" (unset: {', '.join(names)})" if names else ""
    raise TranslateError(f"image {image!r} has an empty name or tag{because}", key_path=src(plan, "image"),
                         hint=("set " + " and ".join(names) + " in .env or an --env-file") if names
                         else "write a full image reference, e.g. postgres:16")


@rule("R-IMAGE-02", "build → image name <project>-<service>:latest", keys=("build",))
def map_build(ctx: Context, plan: ServicePlan) -> None:
    """Kubernetes cannot build images. `build` is recorded as the source of the image name
    (R-IMAGE-01); build the image with `docker compose build` and push it or `kind load` it
    (`kubemap up` does either). With `--registry` the manifests name the image in that registry
    and `kubemap build --push --registry REGISTRY` builds and pushes it there. Build args,
    target and other build options only affect that build."""
    svc = plan.service
    if svc.build is None:
        return
    registry = ctx.options.registry
    where = f"pushed to {registry} (kubemap build --push --registry {registry})" if registry else "loaded or pushed"
    t = ctx.tracer(plan)
    t.approximated(src(plan, "build"), [plan.container_field("image"), plan.container_field("imagePullPolicy")],
                   "R-IMAGE-02",
                   f"Kubernetes cannot build; expects image {plan.image} built by `docker compose build` "
                   f"and {where}")
    if registry:
        ctx.finding("KM-I-BUILD", src(plan, "build"), f"image {plan.image} must be built and pushed to {registry}",
                    f"kubemap build --push --registry {registry}", severity="info")
        return
    ctx.finding("KM-I-BUILD", src(plan, "build"),
                f"image {plan.image} must be built and loaded into the cluster",
                f"docker compose build {svc.name} && kind load docker-image {plan.image}",
                severity="info")


@rule("R-IMAGE-03", "pull_policy → imagePullPolicy", keys=("pull_policy",))
def map_pull_policy(ctx: Context, plan: ServicePlan) -> None:
    """`pull_policy: always|never|missing|if_not_present` → `imagePullPolicy:
    Always|Never|IfNotPresent`. `build` (always build) has no equivalent: IfNotPresent is used
    and reported; `daily`/`weekly`/`every_<duration>` are approximated as IfNotPresent."""
    t = ctx.tracer(plan)
    svc = plan.service
    policy = svc.pull_policy
    if policy is None:
        return
    target = plan.container_field("imagePullPolicy")
    if policy in PULL_POLICIES:
        plan.container["imagePullPolicy"] = PULL_POLICIES[policy]
        t.mapped(src(plan, "pull_policy"), target, "R-IMAGE-03")
    else:
        plan.container["imagePullPolicy"] = "IfNotPresent"
        t.approximated(src(plan, "pull_policy"), target, "R-IMAGE-03",
                       f"{policy!r} has no Kubernetes equivalent; IfNotPresent")


_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$", re.IGNORECASE)
_ARG = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?\s*$", re.IGNORECASE)


def final_base(dockerfile: str, target: str | None = None, args: dict[str, str | None] | None = None) -> str | None:
    """The base image of a Dockerfile's final stage (or of stage `target`), following stage
    names back to an image: `FROM build AS app` → what `build` was built FROM. None when unknown
    (no FROM, or a base chosen by an ARG without a default)."""
    values: dict[str, str] = {k: v for k, v in (args or {}).items() if v is not None}
    stages: dict[str, str] = {}
    last = None
    for line in dockerfile.splitlines():
        arg = _ARG.match(line)
        if arg and last is None and arg.group(1) not in values and arg.group(2) is not None:
            values[arg.group(1)] = arg.group(2).strip("\"'")
            continue
        match = _FROM.match(line)
        if not match:
            continue
        base = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: values.get(m.group(1), "\0"), match.group(1))
        if "\0" in base:
            base = "\0"  # an ARG without a value: unknown
        base = stages.get(base.lower(), base)
        last = base
        if match.group(2):
            stages[match.group(2).lower()] = base
            if target and match.group(2).lower() == target.lower():
                break
    return None if last in (None, "\0") else last


@rule("R-IMAGE-04", "final FROM of the service's Dockerfile / well-known image → shell-less (for waits)",
      keys=("build", "image"))
def detect_shellless(ctx: Context, plan: ServicePlan) -> None:
    """kubemap must know when a service's image has no `/bin/sh`, because its depends_on waits
    run a shell loop in that image (R-DEP-01/02) and would never start
    (`Init:RunContainerError`). It looks at what it can without running anything: the base of
    the final stage of the service's Dockerfile in the project (`FROM scratch`; a
    `build.target` stage; earlier stages followed by name; `ARG` defaults applied), the inline
    `dockerfile_inline`, and well-known shell-less images (scratch, distroless without
    `:debug`, Chainguard without `-dev`, the OpenTelemetry Collector, pause). What it finds is
    traced and handed to `kubemap lint` with the Bundle; nothing is emitted from it here."""
    t = ctx.tracer(plan)
    svc = plan.service
    reason = None
    build = svc.build
    if build is not None:
        text = build.dockerfile_inline
        if text is None:
            path = build.dockerfile_path
            host = ctx.project.host_paths.get(path) if path else None
            if host is not None and host.kind == "file" and host.content is not None:
                text = host.content.decode("utf-8", "replace")
        base = final_base(text, build.target, build.args) if text is not None else None
        if base is not None:
            reason = known_shellless(base)
            if reason and base.lower() == "scratch":
                reason = "its Dockerfile's final stage is FROM scratch"
            elif reason:
                reason = f"its Dockerfile's final stage is FROM {base} ({reason})"
    elif svc.image:
        reason = known_shellless(svc.image)
    if reason is None:
        return
    plan.shellless = reason
    ctx.shellless_images.setdefault(plan.image, reason)
    t.mapped(src(plan, "build" if build is not None else "image"), plan.container_field("image"), "R-IMAGE-04",
             f"no shell in {plan.image}: {reason}")
