"""The x-kubemap extension: Ingress, HorizontalPodAutoscaler and the other knobs."""

from __future__ import annotations

from typing import Any

from converter.errors import TranslateError
from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import metadata
from converter.translate.rules import rule

SERVICE_KEYS = {"workload", "replicas", "service_type", "node_ports", "ingress", "hpa", "volumes", "wait_image",
                "probes", "image_pull_policy", "image_pull_secrets", "service_account", "fs_group", "init_containers",
                "schedule", "concurrency_policy", "backoff_limit", "successful_jobs_history_limit",
                "failed_jobs_history_limit", "time_zone", "starting_deadline_seconds"}
VOLUME_KEYS = {"size", "storage_class", "access_mode", "selector"}
NESTED_KEYS = {"probes": {"readiness", "liveness"}, "hpa": {"min", "max", "cpu", "memory"},
               "ingress": {"host", "path", "port", "class", "tls_secret"}}
TOP_KEYS = {"service_type", "node_ports", "wait_image", "pvc_size", "pvc_storage_class", "pvc_access_mode"}


@rule("R-X-01", "x-kubemap → kubemap settings; other x-* → ignored", keys=("x-kubemap",))
def map_extensions(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap` on a service says what Compose cannot: `workload`
    (deployment|statefulset|daemonset|job), `replicas`, `service_type`
    (ClusterIP|NodePort|LoadBalancer), `node_ports` (published host port → fixed nodePort,
    R-PORTS-02), `ingress`, `hpa`, `volumes.<name>.{size, storage_class, access_mode, selector}`,
    `wait_image` (image for depends_on waits), `probes.{readiness, liveness}` (false turns one
    off, a mapping replaces it: R-X-07), `image_pull_policy`, `image_pull_secrets`,
    `service_account`, `fs_group`, `init_containers` (R-X-02…06), and `schedule` with
    `concurrency_policy`, `backoff_limit`, `successful_jobs_history_limit`,
    `failed_jobs_history_limit`, `time_zone`, `starting_deadline_seconds` (a CronJob, R-CRON-01).
    Kompose's `kompose.*` labels are read as these settings (R-KOMPOSE-01). At the top level: `service_type`, `node_ports: auto|fixed`, `wait_image`, `pvc_size`,
    `pvc_storage_class`, `pvc_access_mode`. An unknown key is an error (a typo would otherwise be
    ignored). Other `x-*` keys have no effect in Compose and none here."""
    t = ctx.tracer(plan)
    svc = plan.service
    for key in sorted(svc.extensions):
        s = src(plan, key)
        if key != "x-kubemap":
            t.mapped(s, [], "R-X-01", reason="extension field: no effect in Compose or Kubernetes")
            continue
        value = svc.extensions[key]
        if not isinstance(value, dict):
            raise TranslateError("x-kubemap must be a mapping", key_path=s)
        unknown = sorted(set(value) - SERVICE_KEYS)
        if unknown:
            raise TranslateError(f"unknown x-kubemap key(s): {', '.join(unknown)}", key_path=s,
                                 hint="known keys: " + ", ".join(sorted(SERVICE_KEYS)))
        _check_nested(value, s)
        for sub in sorted(value):
            if sub in ("ingress", "hpa"):
                continue  # traced by their own rules
            t.mapped(f"{s}.{sub}", f"{plan.ref}", "R-X-01", reason=f"kubemap setting {sub}")


def _check_nested(value: dict[str, Any], source: str) -> None:
    """Typos inside x-kubemap would otherwise be ignored silently: they are errors."""
    for key, allowed in NESTED_KEYS.items():
        entries = value.get(key)
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict) and set(entry) - allowed:
                raise TranslateError(f"unknown {key} key(s): {', '.join(sorted(set(entry) - allowed))}",
                                     key_path=f"{source}.{key}", hint="known keys: " + ", ".join(sorted(allowed)))
    volumes = value.get("volumes")
    if volumes is not None:
        if not isinstance(volumes, dict):
            raise TranslateError("volumes must map volume names to settings", key_path=f"{source}.volumes")
        for name, settings in volumes.items():
            if not isinstance(settings, dict) or set(settings) - VOLUME_KEYS:
                raise TranslateError(f"volume {name}: only " + ", ".join(sorted(VOLUME_KEYS)),
                                     key_path=f"{source}.volumes.{name}")


def check_top_level(ctx: Context) -> None:
    value = ctx.project.extensions.get("x-kubemap")
    if value is None:
        return
    if not isinstance(value, dict):
        raise TranslateError("x-kubemap must be a mapping", key_path="x-kubemap")
    unknown = sorted(set(value) - TOP_KEYS)
    if unknown:
        raise TranslateError(f"unknown top-level x-kubemap key(s): {', '.join(unknown)}", key_path="x-kubemap",
                             hint="known keys: " + ", ".join(sorted(TOP_KEYS)))
    for vol in ctx.project.volumes.values():
        ext = vol.extensions.get("x-kubemap")
        if ext is not None and (not isinstance(ext, dict) or set(ext) - VOLUME_KEYS):
            raise TranslateError("volume x-kubemap accepts only " + ", ".join(sorted(VOLUME_KEYS)),
                                 key_path=f"volumes.{vol.name}.x-kubemap")


@rule("R-ING-01", "x-kubemap.ingress → Ingress", keys=("x-kubemap",))
def build_ingress(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap: {ingress: {host, path (default /), port (default the first Service port),
    class, tls_secret}}` (or a list of them) → one `networking.k8s.io/v1` Ingress named after the
    service with a Prefix rule per entry to the service's Service. Compose has no ingress; the
    published ports stay NodePorts."""
    t = ctx.tracer(plan)
    spec_in = plan.x.get("ingress")
    if not spec_in:
        return
    s = plan.x_source("ingress")
    entries = spec_in if isinstance(spec_in, list) else [spec_in]
    if not plan.service_ports:
        raise TranslateError("an ingress needs a service with ports", key_path=s, hint="add ports or expose")
    rules: list[dict[str, Any]] = []
    tls: list[dict[str, Any]] = []
    ingress_class = None
    for entry in entries:
        if not isinstance(entry, dict):
            raise TranslateError("ingress entries must be mappings", key_path=s)
        port = int(entry.get("port") or plan.service_ports[0]["port"])
        if port not in {p["port"] for p in plan.service_ports}:
            raise TranslateError(f"ingress port {port} is not a port of the service", key_path=s)
        path = {"path": str(entry.get("path") or "/"), "pathType": "Prefix",
                "backend": {"service": {"name": plan.name, "port": {"number": port}}}}
        r: dict[str, Any] = {"http": {"paths": [path]}}
        if entry.get("host"):
            r = {"host": str(entry["host"]), **r}
            if entry.get("tls_secret"):
                tls.append({"hosts": [str(entry["host"])], "secretName": str(entry["tls_secret"])})
        rules.append(r)
        ingress_class = entry.get("class") or ingress_class
    spec: dict[str, Any] = {"rules": rules}
    if ingress_class:
        spec = {"ingressClassName": str(ingress_class), **spec}
    if tls:
        spec["tls"] = tls
    ctx.add(plan.service.name, {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                                "metadata": metadata(ctx, plan.name, plan.name), "spec": spec})
    t.mapped(s, f"Ingress/{plan.name}", "R-ING-01")


@rule("R-HPA-01", "x-kubemap.hpa → HorizontalPodAutoscaler", keys=("x-kubemap",))
def build_hpa(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap: {hpa: {min, max, cpu, memory}}` → an `autoscaling/v2` HorizontalPodAutoscaler
    on the Deployment or StatefulSet, scaling between min (default the replica count) and max on
    average CPU utilisation `cpu` percent (default 80), and on memory utilisation `memory`
    percent when given. Utilisation is relative to the CPU *request*:
    without `deploy.resources.reservations.cpus` it cannot work, which is reported. The workload
    then has no `spec.replicas`, so re-applying does not reset what the autoscaler chose."""
    t = ctx.tracer(plan)
    hpa = plan.x.get("hpa")
    if not hpa:
        return
    s = plan.x_source("hpa")
    if not isinstance(hpa, dict) or "max" not in hpa:
        raise TranslateError("hpa needs at least max", key_path=s, hint="e.g. {min: 1, max: 5, cpu: 70}")
    if plan.kind not in ("Deployment", "StatefulSet"):
        raise TranslateError(f"hpa needs a Deployment or StatefulSet, not a {plan.kind}", key_path=s)
    minimum, maximum = int(hpa.get("min", plan.replicas)), int(hpa["max"])
    if not 1 <= minimum <= maximum:
        raise TranslateError(f"hpa min {minimum} / max {maximum} are not 1 ≤ min ≤ max", key_path=s)
    metrics = [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": int(hpa.get("cpu", 80))}}}]
    if hpa.get("memory") is not None:
        metrics.append({"type": "Resource", "resource": {"name": "memory", "target": {
            "type": "Utilization", "averageUtilization": int(hpa["memory"])}}})
    ctx.add(plan.service.name, {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(ctx, plan.name, plan.name),
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": plan.kind, "name": plan.name},
                 "minReplicas": minimum, "maxReplicas": maximum, "metrics": metrics}})
    t.mapped(s, f"HorizontalPodAutoscaler/{plan.name}", "R-HPA-01")
    if "cpu" not in plan.container.get("resources", {}).get("requests", {}) and \
            "cpu" not in plan.container.get("resources", {}).get("limits", {}):
        ctx.finding("KM-W-HPA-NO-REQUESTS", s, "the HPA scales on CPU utilisation but the container has no CPU request",
                    "set deploy.resources.reservations.cpus")
