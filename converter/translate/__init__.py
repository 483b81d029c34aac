"""Translate a loaded Compose project into Kubernetes objects, a trace and findings.

Pure: no files, no network, no YAML. Each mapping is a numbered rule (see `rules.RULES`);
this module only runs them in order and checks the result (every key traced, no duplicate
objects, `--strict`).
"""

from __future__ import annotations

from collections.abc import Callable

from converter.errors import TranslateError
from converter.model import Bundle, Project, TraceEntry
from converter.model.bundle import UNSET_VARIABLE
from converter.model.kube import kind_rank
from converter.translate import (
    container, cronjob, dependencies, env, extensions, images, kompose_labels, labels, naming, network,
    pod_settings, probes, secrets_configs, security, services, storage, unsupported, variables, workload,
)
from converter.translate.context import Context, ServicePlan
from converter.translate.options import TranslateOptions
from converter.translate.rules import RULES, Rule


def translate(project: Project, options: TranslateOptions = TranslateOptions()) -> Bundle:
    """Run every rule over `project` and return the Bundle (objects sorted, trace complete)."""
    ctx = Context(project=project, options=options)
    labels.add_namespace(ctx)
    extensions.check_top_level(ctx)
    variables.report_unset_variables(ctx)
    names = naming.sanitise_project_names(ctx)
    dependencies.check_cycles(project)
    completions = workload.completion_targets(project)
    waiters = workload.start_waiters(project)
    volume_users = workload.named_volume_users(project)
    ctx.names, ctx.completions, ctx.volume_users = names, completions, volume_users

    for name in sorted(project.services):
        plan = ServicePlan(service=project.services[name], name=names["services"][name])
        kompose_labels.read_labels(ctx, plan)
        workload.choose_workload(ctx, plan, completions, volume_users, waiters)
        cronjob.choose_cronjob(ctx, plan, completions, waiters)
        ctx.plans[name] = plan
    network.assign_sidecar_hosts(ctx)
    for plan in ctx.plans.values():
        images.map_image(ctx, plan)
        images.detect_shellless(ctx, plan)
        services.map_ports(ctx, plan)
    services.assign_node_ports(ctx)

    for name in sorted(ctx.plans):
        for service_rule in SERVICE_RULES:
            service_rule(ctx, ctx.plans[name])

    reserved = {plan.name for plan in ctx.plans.values()}
    hardened = [ctx.plans[n].name for n in sorted(ctx.plans) if security.harden(ctx, ctx.plans[n])]
    for name in sorted(ctx.plans):
        if ctx.plans[name].host is not None:
            network.merge_sidecar(ctx, ctx.plans[name])
    for name in sorted(ctx.plans):
        plan = ctx.plans[name]
        if plan.host is not None:
            services.alias_services(ctx, plan, reserved)
            continue
        services.build_service(ctx, plan)
        services.alias_services(ctx, plan, reserved)
        workload.recreate_for_rwo(ctx, plan)
        ctx.add(plan.service.name, cronjob.as_cronjob(plan, workload.build_workload(ctx, plan)))
        extensions.build_ingress(ctx, plan)
        extensions.build_hpa(ctx, plan)

    storage.build_claims(ctx, volume_users)
    kompose_labels.trace_volume_labels(ctx)
    storage.build_bind_claims(ctx)
    secrets_configs.build_secrets(ctx, names["secrets"])
    secrets_configs.build_configs(ctx, names["configs"])
    network.build_network_policies(ctx)
    _trace_project_level(ctx, hardened)
    traced = unsupported.traced_keys(ctx)
    for name in sorted(ctx.plans):
        unsupported.cover_remaining_keys(ctx, ctx.plans[name], traced)
    _check_strict(ctx)
    return _bundle(ctx)


# The rules that fill in one service's pod, in the order they run: a rule may read what an
# earlier one set (the ports before the probes, the mounts before the security context), and
# R-UNSUP-01 runs last, for the keys no rule before it traced.
SERVICE_RULES: tuple[Callable[[Context, ServicePlan], None], ...] = (
    workload.trace_statefulset, workload.trace_daemonset, workload.trace_job, workload.map_replicas,
    workload.map_deploy_rest, images.map_build, images.map_pull_policy,
    labels.apply_common_labels, labels.map_labels, labels.map_annotations,
    container.map_command, container.map_process_options, env.map_environment,
    container.map_resources, probes.map_healthcheck, services.container_ports,
    container.map_stop_grace, container.map_stop_signal, container.map_hostname,
    container.report_swarm_templates, container.map_extra_hosts, container.map_dns,
    container.map_init, container.map_shm, container.map_ulimits, container.map_platform,
    container.map_profiles, storage.map_volumes, secrets_configs.mount_file_objects,
    security.map_user, security.map_container_security, security.map_sysctls,
    security.map_security_opt, security.map_namespaces, container.map_lifecycle_hooks,
    container.map_gpus_key, network.map_service_networks, network.map_network_mode,
    dependencies.map_depends_on, pod_settings.map_pod_settings, extensions.map_extensions,
    kompose_labels.trace_labels, unsupported.report_unsupported,
)


def _trace_project_level(ctx: Context, hardened: list[str]) -> None:
    for name in ctx.project.disabled_services:
        ctx.trace(f"services.{name}", [], "R-PROFILE-01", reason="disabled by the active profiles: not converted")
    for key in sorted(ctx.project.extensions):
        reason = "kubemap settings" if key == "x-kubemap" else "extension field: no effect"
        ctx.trace(key, [], "R-X-01", reason=reason)
    if hardened:
        ctx.finding("KM-I-HARDENING", "services",
                    "allowPrivilegeEscalation: false is set on " + ", ".join(hardened)
                    + " (Docker allows it by default): setuid programs such as sudo stop working",
                    "set security_opt: [\"no-new-privileges:false\"] on a service that needs them",
                    severity="info")


def _check_strict(ctx: Context) -> None:
    """--strict: nothing is converted when a key cannot be expressed or a variable was unset."""
    if not ctx.options.strict:
        return
    bad = sorted((e for e in ctx.trace_entries if e.status == "unsupported"), key=lambda e: _trace_order(ctx, e))
    if bad:
        listed = "; ".join(f"{e.source} ({e.reason})" if e.reason else e.source for e in bad)
        raise TranslateError(f"--strict: {len(bad)} Compose key(s) cannot be converted: {listed}",
                             key_path=bad[0].source, hint="remove or change those keys, or drop --strict to convert with warnings")
    unset = [f for f in ctx.findings if f.code == UNSET_VARIABLE]
    if unset:
        listed = "; ".join(f"{f.source}: {f.message}" for f in unset)
        raise TranslateError(f"--strict: {len(unset)} use(s) of unset variables: {listed}",
                             hint="set them in .env or an --env-file, or drop --strict")


def _trace_order(ctx: Context, entry: TraceEntry) -> tuple[bool, str, int]:
    """Services in name order, and within a service the keys in the order they were written."""
    if entry.service is None or entry.service not in ctx.project.services:
        return (True, "", 0)
    keys = ctx.project.services[entry.service].keys
    return (False, entry.service, keys.index(entry.key) if entry.key in keys else len(keys))


def _bundle(ctx: Context) -> Bundle:
    seen: dict[tuple[str, str], str | None] = {}
    for obj in ctx.objects:
        key = (obj.kind, obj.name)
        if key in seen:
            raise TranslateError(
                f"two objects would be named {obj.kind}/{obj.name} (from {seen[key] or 'the project'} "
                f"and {obj.service or 'the project'})",
                hint="rename a service, volume, secret, config or alias so the names differ",
            )
        seen[key] = obj.service
    objects = sorted(ctx.objects, key=lambda o: (kind_rank(o.kind), o.kind, o.name))
    trace = sorted(ctx.trace_entries, key=lambda e: _trace_order(ctx, e))
    return Bundle(project=ctx.project.name, source_files=list(ctx.project.files), namespace=ctx.options.namespace,
                  objects=objects, trace=trace, findings=list(ctx.findings), host_ports=list(ctx.host_ports),
                  shellless_images=dict(sorted(ctx.shellless_images.items())),
                  built_images=sorted(ctx.built_images, key=lambda b: b.service))


__all__ = ["RULES", "Rule", "TranslateOptions", "translate"]
