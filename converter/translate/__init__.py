"""Translate a loaded Compose project into Kubernetes objects, a trace and findings.

Pure: no files, no network, no YAML. Each mapping is a numbered rule (see `rules.RULES`);
this module only runs them in order and checks the result (every key traced, no duplicate
objects, `--strict`).
"""

from __future__ import annotations

from converter.errors import TranslateError
from converter.model import Bundle, Project, TraceEntry
from converter.model.bundle import UNSET_VARIABLE
from converter.model.kube import kind_rank
from converter.translate import (
    container, dependencies, env, extensions, images, labels, naming, network, probes,
    secrets_configs, security, services, storage, unsupported, variables, workload,
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

    for name in sorted(project.services):
        plan = ServicePlan(service=project.services[name], name=names["services"][name])
        workload.choose_workload(ctx, plan, completions, volume_users, waiters)
        ctx.plans[name] = plan
    network.assign_sidecar_hosts(ctx)
    for plan in ctx.plans.values():
        images.map_image(ctx, plan)
        images.detect_shellless(ctx, plan)
        services.map_ports(ctx, plan)
    services.assign_node_ports(ctx)

    for name in sorted(ctx.plans):
        _translate_service(ctx, ctx.plans[name], completions, volume_users, names)

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
        ctx.add(plan.service.name, workload.build_workload(ctx, plan))
        extensions.build_ingress(ctx, plan)
        extensions.build_hpa(ctx, plan)

    storage.build_claims(ctx, volume_users)
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


def _translate_service(ctx: Context, plan: ServicePlan, completions: dict[str, list[str]],
                       volume_users: dict[str, list[str]], names: dict[str, dict[str, str]]) -> None:
    workload.trace_statefulset(ctx, plan)
    workload.trace_daemonset(ctx, plan)
    workload.trace_job(ctx, plan, completions)
    workload.map_replicas(ctx, plan)
    workload.map_deploy_rest(ctx, plan)
    images.map_build(ctx, plan)
    images.map_pull_policy(ctx, plan)
    labels.apply_common_labels(ctx, plan)
    labels.map_labels(ctx, plan)
    labels.map_annotations(ctx, plan)
    container.map_command(ctx, plan)
    container.map_process_options(ctx, plan)
    env.map_environment(ctx, plan)
    container.map_resources(ctx, plan)
    probes.map_healthcheck(ctx, plan)
    services.container_ports(plan)
    container.map_stop_grace(ctx, plan)
    container.map_stop_signal(ctx, plan)
    container.map_hostname(ctx, plan)
    container.report_swarm_templates(ctx, plan)
    container.map_extra_hosts(ctx, plan)
    container.map_dns(ctx, plan)
    container.map_init(ctx, plan)
    container.map_shm(ctx, plan)
    container.map_ulimits(ctx, plan)
    container.map_platform(ctx, plan)
    container.map_profiles(ctx, plan)
    storage.map_volumes(ctx, plan, volume_users)
    secrets_configs.mount_file_objects(ctx, plan, names)
    security.map_user(ctx, plan)
    security.map_container_security(ctx, plan)
    security.map_sysctls(ctx, plan)
    security.map_security_opt(ctx, plan)
    handled: set[str] = set()
    security.map_namespaces(ctx, plan, handled)
    container.map_lifecycle_hooks(ctx, plan, handled)
    container.map_gpus_key(ctx, plan, handled)
    network.map_service_networks(ctx, plan)
    network.map_network_mode(ctx, plan)
    dependencies.map_depends_on(ctx, plan)
    extensions.map_extensions(ctx, plan)
    unsupported.report_unsupported(ctx, plan, handled)


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
                  shellless_images=dict(sorted(ctx.shellless_images.items())))


__all__ = ["RULES", "Rule", "TranslateOptions", "translate"]
