"""Keys with no Kubernetes equivalent: reported, never dropped silently."""

from __future__ import annotations

from typing import Any

from converter.translate.context import Context, ServicePlan, src
from converter.translate.rules import rule

REASONS = {
    "logging": "pod logs go to the node's container runtime; configure a cluster log collector",
    "devices": "host devices need a device plugin",
    "device_cgroup_rules": "no pod-level device cgroup rules",
    "cgroup": "no per-pod cgroup namespace setting",
    "cgroup_parent": "the kubelet owns the cgroup hierarchy",
    "oom_score_adj": "the kubelet sets OOM scores from the QoS class",
    "oom_kill_disable": "not available in Kubernetes",
    "mem_swappiness": "not available per pod",
    "memswap_limit": "swap is configured per node",
    "cpu_shares": "use resources.requests.cpu",
    "cpu_quota": "use resources.limits.cpu",
    "cpu_period": "use resources.limits.cpu",
    "cpu_count": "use resources.limits.cpu",
    "cpu_percent": "use resources.limits.cpu",
    "cpuset": "needs the kubelet's static CPU manager",
    "cpu_rt_runtime": "not available", "cpu_rt_period": "not available",
    "blkio_config": "no block I/O limits in pods",
    "pids_limit": "pid limits are set per node (kubelet podPidsLimit)",
    "userns_mode": "use pod spec.hostUsers",
    "uts": "no per-pod UTS namespace setting",
    "isolation": "Windows isolation mode is not converted",
    "runtime": "use a RuntimeClass",
    "storage_opt": "not available",
    "volumes_from": "share volumes explicitly (a PVC mounted by both)",
    "external_links": "containers outside the project do not exist in the cluster",
    "mac_address": "pod MAC addresses cannot be chosen",
    "credential_spec": "Windows only",
    "develop": "compose watch is a development feature",
    "attach": "attach is a CLI setting",
    "models": "not converted",
    "label_file": "labels read from a file are not converted; list them under labels",
    "provider": "not converted",
    "use_api_socket": "the Docker socket does not exist on Kubernetes nodes",
}


@rule("R-UNSUP-01", "keys with no Kubernetes equivalent → (reported)", keys=tuple(sorted(REASONS)))
def report_unsupported(ctx: Context, plan: ServicePlan) -> None:
    """Every service key kubemap does not map — `logging`, `devices`, `cgroup_parent`,
    `oom_score_adj`, `external_links`, `volumes_from`, `pids_limit`, … — gets a trace entry with
    status unsupported and the reason, and a KM-W-UNSUPPORTED finding; `--strict` turns them into
    an error. Keys that were written but are empty get a trace entry saying so. Nothing is
    dropped silently."""
    svc = plan.service
    traced = ctx.traced_keys(svc.name)  # the keys of `other` a rule before this one converted
    for key in sorted(svc.other):
        if key in traced:
            continue
        _unsupported(ctx, plan, key, REASONS.get(key, f"the Compose key {key!r} has no Kubernetes equivalent"))
    if svc.external_links:
        _unsupported(ctx, plan, "external_links", REASONS["external_links"])


def _unsupported(ctx: Context, plan: ServicePlan, key: str, reason: str) -> None:
    t = ctx.tracer(plan)
    s = src(plan, key)
    t.unsupported(s, "R-UNSUP-01", reason, f"{key} is not converted: {reason}")


FIELD_OF_KEY = {"env_file": "env_files"}


def cover_remaining_keys(ctx: Context, plan: ServicePlan, traced_by_service: dict[str, set[str]]) -> None:
    """Safety net: a written key that no rule traced is reported (empty → 'nothing to convert')."""
    t = ctx.tracer(plan)
    prefix = f"services.{plan.service.name}."
    traced = traced_by_service.get(plan.service.name, set())
    for key in plan.service.keys:
        if key in traced:
            continue
        field = FIELD_OF_KEY.get(key, key)
        value: Any = getattr(plan.service, field, None) if field.isidentifier() else None
        if field in type(plan.service).model_fields and value in (None, [], {}, "", False):
            t.mapped(prefix + key, [], "R-UNSUP-01", reason="empty or default: nothing to convert")
        else:
            _unsupported(ctx, plan, key, "no kubemap rule converts this key")


def traced_keys(ctx: Context) -> dict[str, set[str]]:
    """Service name → the top-level keys its trace entries cover (`ports[0].published` → ports)."""
    index: dict[str, set[str]] = {name: set() for name in ctx.plans}
    for entry in ctx.trace_entries:
        if entry.service in index and entry.path != entry.source and entry.key:
            index[entry.service].add(entry.key)
    return index
