"""Common labels on every object, and Compose `labels` / `annotations`."""

from __future__ import annotations

import re

from converter.errors import TranslateError
from converter.model.kube import valid_namespace
from converter.model.ownership import (
    MANAGED_BY_LABEL,
    MANAGER,
    NAME_LABEL,
    PART_OF_LABEL,
    PROJECT_LABEL,
    RESERVED_PREFIX,
    SERVICE_LABEL,
)
from converter.translate.context import Context, ServicePlan, src
from converter.translate.naming import dns_label
from converter.translate.rules import rule

_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_LABEL_KEY = re.compile(rf"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?{_NAME}$")
_LABEL_VALUE = re.compile(rf"^({_NAME})?$")


def valid_key(key: str) -> bool:
    """A qualified name `[prefix/]name`, as label and annotation keys must be."""
    prefix = key.rsplit("/", 1)[0] if "/" in key else ""
    return bool(_LABEL_KEY.match(key)) and len(prefix) <= 253


def valid_label(key: str, value: str, allow_reserved: bool = False) -> bool:
    """A valid label; `kubernetes.io/` keys only when kubemap itself means the well-known ones."""
    return (
        valid_key(key) and bool(_LABEL_VALUE.match(value))
        and (allow_reserved or not key.startswith(("kubernetes.io/", "k8s.io/")))
    )


def project_label(ctx: Context) -> str:
    return dns_label(ctx.project.name) or "project"


def common_labels(ctx: Context, service_name: str | None) -> dict[str, str]:
    """Labels on every object kubemap writes; `kubemap.io/project` is what prune selects on."""
    labels = {MANAGED_BY_LABEL: MANAGER, PART_OF_LABEL: project_label(ctx), PROJECT_LABEL: project_label(ctx)}
    if service_name:
        labels[NAME_LABEL] = service_name
    return labels


def selector(plan: ServicePlan) -> dict[str, str]:
    """The one label that ties a service's pods to its Services (a sidecar's are its host's)."""
    return {SERVICE_LABEL: (plan.host or plan).name}


def metadata(ctx: Context, name: str, service_name: str | None) -> dict[str, object]:
    """An object's metadata: its name, the common labels, and the namespace when one is given."""
    meta: dict[str, object] = {"name": name, "labels": common_labels(ctx, service_name)}
    if ctx.options.namespace:
        meta["namespace"] = ctx.options.namespace
    return meta


def add_namespace(ctx: Context) -> None:
    """With a namespace (--namespace), the Namespace object itself, so applying the output
    creates it; it has no namespace of its own."""
    name = ctx.options.namespace
    if name is None:
        return
    if not valid_namespace(name):
        raise TranslateError(f"--namespace {name!r} is not a valid namespace name",
                             hint="use lower-case letters, digits and '-', at most 63 characters")
    ctx.add(None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": common_labels(ctx, None)}})


@rule("R-LABEL-01", "(every object) → common labels and selector", keys=())
def apply_common_labels(ctx: Context, plan: ServicePlan) -> None:
    """Every object gets `app.kubernetes.io/name` (the service), `app.kubernetes.io/part-of`
    (the project), `app.kubernetes.io/managed-by: kubemap` and `kubemap.io/project` (used by
    `apply --prune`). Pods and Services are matched by the single label `kubemap.io/service`.
    Compose has no equivalent; its containers are matched by project and service name."""
    plan.pod_labels.update(selector(plan))


@rule("R-LABEL-02", "labels → metadata.labels (invalid ones → annotations)", keys=("labels",))
def map_labels(ctx: Context, plan: ServicePlan) -> None:
    """Compose `labels` (container labels) become labels on the workload and its pod template
    when they are valid Kubernetes labels (key `prefix/name`, value of at most 63 characters of
    `[A-Za-z0-9._-]`), otherwise annotations, which accept any string. Labels in the
    `kubernetes.io/` namespace are reserved and go to annotations too; `kubemap.io/` labels
    would break the selector and prune, and are reported. Kompose's `kompose.*` labels are
    settings for the converter (R-KOMPOSE-01), not labels of the objects."""
    t = ctx.tracer(plan)
    svc = plan.service
    for key, value in sorted(svc.labels.items()):
        source = src(plan, f"labels.{key}")
        if key.startswith("kompose."):
            continue  # instructions to the converter, read and traced by R-KOMPOSE-01
        if key.startswith(RESERVED_PREFIX):
            _bad_key(ctx, plan, source, key, "R-LABEL-02", why="is reserved for kubemap's own selector and prune labels")
        elif valid_label(key, value):
            plan.labels[key] = value
            plan.pod_labels[key] = value
            t.mapped(source, [f"{plan.ref} .metadata.labels", f"{plan.ref} .spec.template.metadata.labels"],
                     "R-LABEL-02")
        elif valid_key(key):
            plan.annotations[key] = value
            plan.pod_annotations[key] = value
            t.approximated(source, [f"{plan.ref} .metadata.annotations"], "R-LABEL-02",
                           "not a valid Kubernetes label, kept as an annotation")
        else:
            _bad_key(ctx, plan, source, key, "R-LABEL-02")
    if "labels" in svc.keys and not svc.labels:
        t.mapped(src(plan, "labels"), [], "R-LABEL-02", reason="empty")


@rule("R-LABEL-03", "annotations → metadata.annotations", keys=("annotations",))
def map_annotations(ctx: Context, plan: ServicePlan) -> None:
    """Compose `annotations` (container annotations) become annotations on the workload and on
    its pod template, unchanged; values may be any string. A key that is not a valid Kubernetes
    qualified name (`prefix/name`) is rejected by the API server, so it is reported instead."""
    t = ctx.tracer(plan)
    svc = plan.service
    for key, value in sorted(svc.annotations.items()):
        if not valid_key(key):
            _bad_key(ctx, plan, src(plan, f"annotations.{key}"), key, "R-LABEL-03")
            continue
        plan.annotations[key] = value
        plan.pod_annotations[key] = value
        t.mapped(src(plan, f"annotations.{key}"),
                 [f"{plan.ref} .metadata.annotations", f"{plan.ref} .spec.template.metadata.annotations"],
                 "R-LABEL-03")
    if "annotations" in svc.keys and not svc.annotations:
        t.mapped(src(plan, "annotations"), [], "R-LABEL-03", reason="empty")


def _bad_key(ctx: Context, plan: ServicePlan, source: str, key: str, rule_id: str,
             *, why: str = "is not a valid Kubernetes label or annotation key") -> None:
    t = ctx.tracer(plan)
    reason = f"{key!r} {why}"
    t.unsupported(source, rule_id, reason, reason + "; dropped",
                  "use keys like 'example.com/name' (letters, digits, '-', '_', '.')")
