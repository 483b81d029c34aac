"""Container image, build-only services and pull policy."""

from __future__ import annotations

from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import project_label
from converter.translate.rules import rule

PULL_POLICIES = {"always": "Always", "never": "Never", "missing": "IfNotPresent",
                 "if_not_present": "IfNotPresent"}


@rule("R-IMAGE-01", "image → containers[].image", keys=("image",))
def map_image(ctx: Context, plan: ServicePlan) -> None:
    """`image` is used unchanged as the container image. A service with `build` and no `image`
    gets the name `docker compose build` gives it, `<project>-<service>:latest`, and
    `imagePullPolicy: IfNotPresent` so that an image loaded into the cluster (`kind load
    docker-image`) is used instead of pulled. With both `build` and `image`, Compose tags the
    build with `image`, so that name is kept."""
    svc = plan.service
    if svc.image:
        plan.image = svc.image
        ctx.trace(src(plan, "image"), plan.container_field("image"), "R-IMAGE-01", service=svc.name)
    elif svc.build is not None:
        plan.image = f"{project_label(ctx)}-{plan.name}:latest"
        plan.container["imagePullPolicy"] = "IfNotPresent"
    else:
        plan.image = f"{project_label(ctx)}-{plan.name}:latest"
        ctx.finding("KM-W-NO-IMAGE", src(plan, "image"),
                    f"service has neither image nor build; using {plan.image}",
                    "add an image: key")
    plan.container["image"] = plan.image


@rule("R-IMAGE-02", "build → image name <project>-<service>:latest", keys=("build",))
def map_build(ctx: Context, plan: ServicePlan) -> None:
    """Kubernetes cannot build images. `build` is recorded as the source of the image name
    (R-IMAGE-01); build the image with `docker compose build` and push it or `kind load` it.
    Build args, target and other build options only affect that build."""
    svc = plan.service
    if svc.build is None:
        return
    ctx.trace(src(plan, "build"), [plan.container_field("image"), plan.container_field("imagePullPolicy")],
              "R-IMAGE-02", "approximated",
              f"Kubernetes cannot build; expects image {plan.image} built by `docker compose build` "
              "and loaded or pushed", service=svc.name)
    ctx.finding("KM-I-BUILD", src(plan, "build"),
                f"image {plan.image} must be built and loaded into the cluster",
                f"docker compose build {svc.name} && kind load docker-image {plan.image}",
                severity="info")


@rule("R-IMAGE-03", "pull_policy → imagePullPolicy", keys=("pull_policy",))
def map_pull_policy(ctx: Context, plan: ServicePlan) -> None:
    """`pull_policy: always|never|missing|if_not_present` → `imagePullPolicy:
    Always|Never|IfNotPresent`. `build` (always build) has no equivalent: IfNotPresent is used
    and reported; `daily`/`weekly`/`every_<duration>` are approximated as IfNotPresent."""
    svc = plan.service
    policy = svc.pull_policy
    if policy is None:
        return
    target = plan.container_field("imagePullPolicy")
    if policy in PULL_POLICIES:
        plan.container["imagePullPolicy"] = PULL_POLICIES[policy]
        ctx.trace(src(plan, "pull_policy"), target, "R-IMAGE-03", service=svc.name)
    else:
        plan.container["imagePullPolicy"] = "IfNotPresent"
        ctx.trace(src(plan, "pull_policy"), target, "R-IMAGE-03", "approximated",
                  f"{policy!r} has no Kubernetes equivalent; IfNotPresent", service=svc.name)
