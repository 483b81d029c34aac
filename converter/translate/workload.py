"""Which workload kind each service becomes, its replica count, and the assembled object."""

from __future__ import annotations

import re
from typing import Any

from converter.errors import TranslateError
from converter.model import Project, Service
from converter.model.images import image_base
from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import common_labels, metadata, selector, valid_key, valid_label
from converter.translate.rules import rule

DATABASE_IMAGES = frozenset({
    "postgres", "postgis", "timescaledb", "mysql", "mariadb", "percona", "mongo", "mongodb",
    "redis", "valkey", "keydb", "elasticsearch", "opensearch", "cassandra", "scylla", "couchdb",
    "rabbitmq", "etcd", "zookeeper", "kafka", "minio", "clickhouse-server", "influxdb", "neo4j",
    "cockroach", "nats", "mssql-server", "questdb", "qdrant", "meilisearch", "memgraph",
})
WORKLOAD_KINDS = {"deployment": "Deployment", "statefulset": "StatefulSet",
                  "daemonset": "DaemonSet", "job": "Job"}
_ON_FAILURE = re.compile(r"^on-failure(?::(\d+))?$")


def completion_targets(project: Project) -> dict[str, list[str]]:
    """Services that another one waits for with service_completed_successfully → who waits."""
    targets: dict[str, list[str]] = {}
    for name, svc in sorted(project.services.items()):
        for dep, cond in sorted(svc.depends_on.items()):
            if cond.condition == "service_completed_successfully":
                targets.setdefault(dep, []).append(name)
    return targets


def start_waiters(project: Project) -> dict[str, list[str]]:
    """Services another one waits for to be started or healthy (a blocking depends_on) → who
    waits: they must keep running, whatever their `restart:` says (R-WL-04)."""
    waiters: dict[str, list[str]] = {}
    for name, svc in sorted(project.services.items()):
        for dep, cond in sorted(svc.depends_on.items()):
            if cond.required and cond.condition in ("service_started", "service_healthy"):
                waiters.setdefault(dep, []).append(name)
    return waiters


def long_running_signs(plan: ServicePlan, waiters: dict[str, list[str]]) -> list[str]:
    """Why a service is a server that must keep running: it listens, it has a healthcheck, or
    others wait for it to be started. Empty for a one-shot service."""
    svc = plan.service
    signs = []
    if svc.ports or svc.expose:
        signs.append("it has ports")
    if svc.healthcheck is not None and not svc.healthcheck.disable and (svc.healthcheck.test or [""])[0] != "NONE":
        signs.append("it has a healthcheck")
    if waiters.get(svc.name):
        signs.append(", ".join(waiters[svc.name]) + " wait(s) for it to be started")
    return signs


def named_volume_users(project: Project) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for name, svc in sorted(project.services.items()):
        for mount in svc.volumes:
            if mount.type == "volume" and mount.source and name not in users.get(mount.source, []):
                users.setdefault(mount.source, []).append(name)
    return users


def desired_replicas(plan: ServicePlan) -> tuple[int, str]:
    svc = plan.service
    if isinstance(plan.x.get("replicas"), int):
        return plan.x["replicas"], "x-kubemap.replicas"
    if svc.deploy and svc.deploy.replicas is not None:
        return svc.deploy.replicas, "deploy.replicas"
    if svc.scale is not None:
        return svc.scale, "scale"
    return 1, ""


@rule("R-WL-01", "service → Deployment", keys=("restart",))
def choose_workload(ctx: Context, plan: ServicePlan, completions: dict[str, list[str]],
                    volume_users: dict[str, list[str]], waiters: dict[str, list[str]] | None = None) -> None:
    """A long-running service becomes a Deployment (pod restartPolicy Always), which is what
    `restart: always`, `unless-stopped` and no `restart` at all mean in practice (Compose's
    default `no` only matters when the process exits; Kubernetes always restarts Deployment pods).
    The other kinds are chosen by R-WL-02 (StatefulSet), R-WL-03 (DaemonSet) and R-WL-04 (Job);
    `x-kubemap: {workload: deployment|statefulset|daemonset|job}` overrides the choice."""
    t = ctx.tracer(plan)
    svc = plan.service
    forced = plan.x.get("workload")
    deploy_mode = svc.deploy.mode if svc.deploy else None
    restart = svc.restart
    policy = svc.deploy.restart_policy if svc.deploy and svc.deploy.restart_policy else None
    signs = long_running_signs(plan, waiters or {})
    one_shot = restart == "no" or bool(restart and _ON_FAILURE.match(restart)) or bool(
        policy and policy.condition in ("none", "on-failure"))
    if forced is not None:
        kind = WORKLOAD_KINDS.get(str(forced).lower())
        if kind is None:
            raise TranslateError(
                f"unknown workload {forced!r}", key_path=plan.x_source("workload"),
                hint="use one of: " + ", ".join(WORKLOAD_KINDS),
            )
        plan.kind = kind
    elif svc.name in completions:
        plan.kind = "Job"
    elif deploy_mode == "global":
        plan.kind = "DaemonSet"
    elif deploy_mode in ("replicated-job", "global-job"):
        plan.kind = "Job"
    elif one_shot and not signs:
        plan.kind = "Job"
    elif restart is None and (svc.network_mode or "").startswith("service:") and not signs and _shell_one_shot(svc):
        plan.kind = "Job"  # a one-shot helper in another service's network: R-WL-04
        _oneshot_sidecar(ctx, plan)
    elif _is_stateful(plan, volume_users):
        plan.kind = "StatefulSet"
    else:
        plan.kind = "Deployment"
    if plan.kind == "Job":
        _job_policy(plan)
    elif forced is None and one_shot and signs:
        kept_running(ctx, plan, signs)
    if plan.kind != "Job" and restart is not None:
        status = "mapped" if restart in ("always", "unless-stopped") else "approximated"
        t.trace(src(plan, "restart"), plan.pod_field("restartPolicy"), "R-WL-01", status,
                f"{plan.kind} pods always restart" + ("" if status == "mapped" else
                f"; Compose's {restart!r} would leave an exited container stopped"))


def _is_stateful(plan: ServicePlan, volume_users: dict[str, list[str]]) -> bool:
    svc = plan.service
    owns_volume = any(
        m.type == "volume" and m.source and volume_users.get(m.source) == [svc.name]
        for m in svc.volumes
    )
    return image_base(svc.image) in DATABASE_IMAGES and owns_volume and desired_replicas(plan)[0] == 1


def _job_policy(plan: ServicePlan) -> None:
    svc = plan.service
    match = _ON_FAILURE.match(svc.restart or "")
    policy = svc.deploy.restart_policy if svc.deploy and svc.deploy.restart_policy else None
    if match:
        plan.job_restart = "OnFailure"
        plan.job_backoff = int(match.group(1)) if match.group(1) else 6
    elif policy and policy.condition == "on-failure":
        plan.job_restart = "OnFailure"
        plan.job_backoff = policy.max_attempts if policy.max_attempts is not None else 6
    else:
        plan.job_restart, plan.job_backoff = "Never", 0


@rule("R-WL-02", "database-like service with a named volume → StatefulSet", keys=("image", "volumes"))
def trace_statefulset(ctx: Context, plan: ServicePlan) -> None:
    """A service whose image is a known database or broker (postgres, mysql, mariadb, mongo,
    redis, elasticsearch, rabbitmq, …), that mounts a named volume no other service uses and
    runs one replica becomes a StatefulSet. Its named volumes become `volumeClaimTemplates`
    (PVC `<volume>-<service>-0`), and its Service is headless and named in `serviceName`, so the
    pod keeps a stable identity and its own disk. `x-kubemap: {workload: statefulset}` forces it."""
    t = ctx.tracer(plan)
    if plan.kind == "StatefulSet":
        why = "x-kubemap.workload" if plan.x.get("workload") else "database image with its own named volume"
        t.mapped(plan.x_source("workload") if plan.x.get("workload") else src(plan, "image"),
                 f"{plan.ref} .spec", "R-WL-02", reason=why)


@rule("R-WL-03", "deploy.mode: global → DaemonSet", keys=("deploy.mode",))
def trace_daemonset(ctx: Context, plan: ServicePlan) -> None:
    """`deploy.mode: global` (one container per Swarm node) becomes a DaemonSet (one pod per
    Kubernetes node). `replicas` has no meaning for it and is reported."""
    t = ctx.tracer(plan)
    svc = plan.service
    mode = svc.deploy.mode if svc.deploy else None
    if not mode:
        return
    expected = {"global": "DaemonSet", "replicated-job": "Job", "global-job": "Job"}.get(mode)
    status = "mapped" if expected in (None, plan.kind) and mode != "global-job" else "approximated"
    reason = f"deploy.mode {mode} → {plan.kind}"
    if mode == "global-job":
        reason += " (one Job, not one per node)"
    t.trace(src(plan, "deploy.mode"), f"{plan.ref} .kind", "R-WL-03", status, reason)


def _restart_words(plan: ServicePlan) -> str:
    """How the service's restart policy was written, for messages (never Python's None)."""
    svc = plan.service
    policy = svc.deploy.restart_policy if svc.deploy and svc.deploy.restart_policy else None
    if svc.restart is not None:
        return f"restart: {svc.restart!r}"
    if policy and policy.condition:
        return f"deploy.restart_policy.condition: {policy.condition}"
    return "no restart policy (Compose's default 'no')"


def kept_running(ctx: Context, plan: ServicePlan, signs: list[str]) -> None:
    """R-WL-04: a long-running service whose restart policy says one-shot stays a workload that
    keeps running (a Job would have no Service and stop for good after backoffLimit crashes)."""
    key = "restart" if plan.service.restart is not None else "deploy.restart_policy"
    ctx.finding("KM-W-RESTART", src(plan, key),
                f"{plan.service.name} has {_restart_words(plan)} but is long-running ({'; '.join(signs)}): it stays a "
                "Deployment with restartPolicy Always, the nearest Kubernetes has; Compose would leave it stopped "
                "after it exits", "x-kubemap: {workload: job} if it really runs to completion")


_SHELLS = ("sh", "bash", "ash", "dash")
_KEEPS_RUNNING = re.compile(r"\bexec\b|while\s+(true|:)|sleep\s+infinity|tail\s+-f|\bwait\b")


def _shell_one_shot(svc: Service) -> bool:
    """Does the service run a shell script that ends (`sh -c "mc mb local/x"`), rather than a
    server, a script that `exec`s one, or a loop?"""
    argv = [*(svc.entrypoint or []), *(svc.command or [])] if svc.entrypoint else list(svc.command or [])
    if len(argv) < 3 or argv[0].rsplit("/", 1)[-1] not in _SHELLS or argv[1] != "-c":
        return False
    return not _KEEPS_RUNNING.search(argv[2])


def _oneshot_sidecar(ctx: Context, plan: ServicePlan) -> None:
    svc = plan.service
    host = (svc.network_mode or "").split(":", 1)[1]
    ctx.finding("KM-W-SIDECAR-ONESHOT", src(plan, "network_mode"),
                f"{svc.name} has no restart policy (Compose's default 'no': it runs once) and nothing shows it keeps "
                f"running; in {host}'s pod it would be restarted forever, so it runs as its own Job and does not "
                f"share {host}'s network (reach {host} by its Service name, not localhost)",
                "restart: unless-stopped or x-kubemap: {workload: deployment} makes it a sidecar")


@rule("R-WL-04", "restart no / on-failure[:N] (one-shot), completion dependencies → Job", keys=("restart",))
def trace_job(ctx: Context, plan: ServicePlan) -> None:
    """A service that is meant to run to completion becomes a Job: `restart: "no"` (pod
    restartPolicy Never, backoffLimit 0), `restart: on-failure[:N]` (restartPolicy OnFailure,
    backoffLimit N, default 6), `deploy.restart_policy.condition: none|on-failure`, and every
    service another one waits for with `condition: service_completed_successfully` (see
    R-DEP-02). But a long-running service stays a Deployment whatever its `restart:` says: one
    with ports or `expose`, a healthcheck, or that others wait for with `service_started` /
    `service_healthy` (a Job has no Service, so its name would not resolve, and it stops for
    good after `backoffLimit` crashes, routine while a database starts); `restartPolicy: Always`
    is the nearest, reported as KM-W-RESTART. A service with `network_mode: service:x` and no
    `restart:` (Compose's default `no`) that shows none of these signs and runs a shell script
    that ends (`sh -c "mc mb local/uploads"`: no `exec`, loop, `sleep infinity` or `tail -f`) is
    a one-shot helper: a Job of its own rather than a container x's pod would restart forever
    (KM-W-SIDECAR-ONESHOT); a proxy or VPN client there stays a sidecar (R-NET-04).
    `replicas` becomes `parallelism` and `completions`. A Job's pod template is immutable:
    re-applying a changed Job needs the old one deleted first."""
    t = ctx.tracer(plan)
    completions = ctx.completions
    svc = plan.service
    if plan.kind != "Job":
        return
    if svc.restart is not None:
        one_shot = svc.restart == "no" or bool(_ON_FAILURE.match(svc.restart))
        t.trace(src(plan, "restart"), [f"{plan.ref} .spec.backoffLimit", plan.pod_field("restartPolicy")],
                "R-WL-04", "mapped" if one_shot else "approximated",
                f"restartPolicy {plan.job_restart}, backoffLimit {plan.job_backoff}"
                + ("" if one_shot else f"; restart {svc.restart!r} ignored: the service runs to completion"))
    elif (svc.network_mode or "").startswith("service:") and not plan.x.get("workload") and svc.name not in completions:
        t.approximated(src(plan, "network_mode"), f"{plan.ref} .spec", "R-WL-04",
                       "one-shot helper (no restart policy): its own Job, not a sidecar")
    looks_like_server = bool(svc.ports or svc.expose or svc.healthcheck)
    if looks_like_server and not plan.x.get("workload") and svc.name in completions:
        ctx.finding("KM-I-JOB", src(plan, "depends_on") if svc.depends_on else src(plan, "image"),
                    f"{svc.name} runs as a Job ({', '.join(completions[svc.name])} wait(s) for it to complete) "
                    "although it listens or has a healthcheck", "check that it really exits when done",
                    severity="info")
    if svc.name in completions:
        t.mapped(src(plan, "depends_on"), f"{plan.ref} .spec", "R-WL-04", reason=(
            "run to completion because " + ", ".join(completions[svc.name])
            + " wait(s) for it with service_completed_successfully"))


@rule("R-WL-05", "deploy.replicas / scale / x-kubemap.replicas → spec.replicas",
      keys=("deploy.replicas", "scale"))
def map_replicas(ctx: Context, plan: ServicePlan) -> None:
    """The replica count is `x-kubemap.replicas`, else `deploy.replicas`, else `scale`, else 1.
    Deployments and StatefulSets get `spec.replicas`; Jobs get `parallelism` and `completions`;
    a DaemonSet runs one pod per node and ignores it (reported)."""
    t = ctx.tracer(plan)
    svc = plan.service
    count, origin = desired_replicas(plan)
    plan.replicas = count
    sources = []
    if svc.deploy and svc.deploy.replicas is not None:
        sources.append("deploy.replicas")
    if "scale" in svc.keys or svc.scale is not None:
        sources.append("scale")
    for key in sources:
        overridden = origin != key
        if plan.kind == "DaemonSet":
            t.unsupported(src(plan, key), "R-WL-05", "a DaemonSet runs one pod per node",
                          "replicas ignored: DaemonSet runs one pod per node")
            continue
        field = ".spec.parallelism" if plan.kind == "Job" else ".spec.replicas"
        if plan.x.get("hpa"):
            t.approximated(src(plan, key), f"HorizontalPodAutoscaler/{plan.name} .spec.minReplicas", "R-WL-05",
                           "the HPA owns the replica count; the default for its minReplicas")
            continue
        t.trace(src(plan, key), f"{plan.ref} {field}", "R-WL-05",
                "approximated" if overridden else "mapped",
                f"overridden by {origin}" if overridden else f"{count} replica(s)")


@rule("R-WL-06", "deploy.* (restart_policy, placement, update_config, …) → workload spec",
      keys=("deploy",))
def map_deploy_rest(ctx: Context, plan: ServicePlan) -> None:
    """The Swarm-only parts of `deploy`: `labels` become workload labels/annotations (service
    labels, not container labels); `restart_policy` picks the workload (R-WL-04);
    `placement.constraints` of the form `node.labels.K==V`, `node.hostname==H`,
    `node.platform.os/arch==V` become `nodeSelector` (`kubernetes.io/hostname`, `…/os`,
    `…/arch`; node names differ between a Swarm and a cluster), other constraints and
    preferences are reported; `endpoint_mode: dnsrr` makes the Service headless;
    `update_config` becomes the Deployment's RollingUpdate strategy (`parallelism` N with
    `order: stop-first` → maxSurge 0 / maxUnavailable N, `start-first` → maxSurge N /
    maxUnavailable 0; 0 → 100%; `delay`, `failure_action`, `monitor`, `max_failure_ratio` are
    reported); `rollback_config` is reported (Kubernetes never rolls back by itself); `resources` is R-RES-01, `mode` R-WL-03, `replicas` R-WL-05."""
    t = ctx.tracer(plan)
    svc = plan.service
    deploy = svc.deploy
    if deploy is None:
        return
    t.mapped(src(plan, "deploy"), f"{plan.ref} .spec", "R-WL-06", reason="see deploy.* entries")
    for key, value in sorted(deploy.labels.items()):
        s = src(plan, f"deploy.labels.{key}")
        if valid_label(key, value):
            plan.labels[key] = value
            t.mapped(s, f"{plan.ref} .metadata.labels", "R-WL-06")
        elif valid_key(key):
            plan.annotations[key] = value
            t.approximated(s, f"{plan.ref} .metadata.annotations", "R-WL-06",
                           "not a valid label, kept as an annotation")
        else:
            t.unsupported(s, "R-WL-06", "invalid key", f"deploy label {key!r} is not a valid Kubernetes key")
    if deploy.restart_policy is not None:
        rp = deploy.restart_policy
        status = "mapped" if plan.kind == "Job" or rp.condition in (None, "any") else "approximated"
        reason = f"{plan.kind} pod restartPolicy"
        dropped = [k for k, v in (("delay", rp.delay), ("window", rp.window)) if v is not None]
        if rp.max_attempts is not None and plan.kind != "Job":
            dropped.append("max_attempts")  # a Job's backoffLimit (R-WL-04); other pods retry for ever
        if dropped:
            status, reason = "approximated", reason + f"; not converted: {', '.join(dropped)} (Kubernetes "
            reason += "uses its own back-off" + ("; pods restart without limit)" if "max_attempts" in dropped else ")")
            ctx.finding("KM-W-UNSUPPORTED", src(plan, "deploy.restart_policy"),
                        f"deploy.restart_policy {', '.join(dropped)} not converted: Kubernetes restarts with its own "
                        "back-off" + (" and without a limit" if "max_attempts" in dropped else ""),
                        "a Job (restart: on-failure:N) is the only place a retry limit exists")
        t.trace(src(plan, "deploy.restart_policy"), plan.pod_field("restartPolicy"), "R-WL-06",
                status, reason)
    if deploy.placement:
        _placement(ctx, plan, deploy.placement)
    if deploy.endpoint_mode:
        if deploy.endpoint_mode == "dnsrr":
            plan.headless = True
            t.mapped(src(plan, "deploy.endpoint_mode"), f"Service/{plan.name} .spec.clusterIP",
                     "R-WL-06", reason="dnsrr → headless Service (DNS returns pod IPs)")
        else:
            t.mapped(src(plan, "deploy.endpoint_mode"), f"Service/{plan.name} .spec.clusterIP",
                     "R-WL-06", reason="vip → ClusterIP Service")
    if deploy.update_config:
        _update_config(ctx, plan, deploy.update_config)
    if deploy.rollback_config:
        s = src(plan, "deploy.rollback_config")
        t.unsupported(s, "R-WL-06", "Kubernetes rolls back with `kubectl rollout undo`, not automatically",
                      "deploy.rollback_config is not converted", "roll back with kubectl rollout undo")


def _update_config(ctx: Context, plan: ServicePlan, update: dict[str, Any]) -> None:
    """Swarm's rolling update → the Deployment's RollingUpdate strategy."""
    t = ctx.tracer(plan)
    s = src(plan, "deploy.update_config")
    if plan.kind != "Deployment":
        t.unsupported(s, "R-WL-06", f"a {plan.kind} keeps its default update strategy",
                      f"deploy.update_config is not converted for a {plan.kind}")
        return
    parallelism = update.get("parallelism", 1)
    step: int | str = int(parallelism) if parallelism else "100%"  # 0 = all at once
    if update.get("order") == "start-first":
        rolling = {"maxSurge": step, "maxUnavailable": 0}
    else:
        rolling = {"maxSurge": 0, "maxUnavailable": step}
    plan.strategy = {"type": "RollingUpdate", "rollingUpdate": rolling}
    dropped = sorted(k for k in update if k not in ("parallelism", "order"))
    t.trace(s, f"{plan.ref} .spec.strategy.rollingUpdate", "R-WL-06", "approximated" if dropped else "mapped",
            (f"parallelism {parallelism}, order {update.get('order', 'stop-first')}")
            + (f"; not converted: {', '.join(dropped)}" if dropped else ""))
    if dropped:
        ctx.finding("KM-W-UNSUPPORTED", s, f"deploy.update_config {', '.join(dropped)} not converted",
                    "Kubernetes has minReadySeconds and progressDeadlineSeconds; set them by hand if needed")


SWARM_NODE_KEYS = {"hostname": "kubernetes.io/hostname", "platform.os": "kubernetes.io/os",
                   "platform.arch": "kubernetes.io/arch"}
ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}


def _placement(ctx: Context, plan: ServicePlan, placement: dict[str, Any]) -> None:
    t = ctx.tracer(plan)
    svc = plan.service
    selector_terms: dict[str, str] = {}
    leftovers = []
    for constraint in placement.get("constraints") or []:
        m = re.match(r"^\s*node\.(labels\.[^=!\s]+|hostname|platform\.os|platform\.arch)\s*==\s*(\S+)\s*$",
                     str(constraint))
        key = value = ""
        if m:
            attr, value = m.group(1), m.group(2)
            key = attr.removeprefix("labels.") if attr.startswith("labels.") else SWARM_NODE_KEYS[attr]
            value = ARCHES.get(value, value) if attr == "platform.arch" else value
        if m and valid_label(key, value, allow_reserved=not attr.startswith("labels.")):
            selector_terms[key] = value
        else:
            leftovers.append(str(constraint))
    extra = [k for k in placement if k != "constraints"]
    if selector_terms:
        plan.pod.setdefault("nodeSelector", {}).update(selector_terms)
    status = "mapped" if not leftovers and not extra else "approximated" if selector_terms else "unsupported"
    reason = "node label/hostname/platform constraints → nodeSelector"
    if leftovers or extra:
        reason += "; not converted: " + ", ".join(leftovers + extra)
        ctx.finding("KM-W-UNSUPPORTED", src(plan, "deploy.placement"),
                    "placement not converted: " + ", ".join(leftovers + extra),
                    "add nodeSelector/affinity to the generated workload")
    t.trace(src(plan, "deploy.placement"), plan.pod_field("nodeSelector") if selector_terms else [],
            "R-WL-06", status, reason)


@rule("R-WL-07", "ReadWriteOnce claim in a Deployment → strategy Recreate", keys=("volumes",))
def recreate_for_rwo(ctx: Context, plan: ServicePlan) -> None:
    """A Deployment whose pods mount a ReadWriteOnce claim (a named volume, or a bind directory
    that became a claim, R-VOL-10) gets `strategy: {type: Recreate}`: the old pod stops before
    the new one starts, as Compose stops the old container first. With the default RollingUpdate
    the new pod starts first and either waits for ever on another node (Multi-Attach) or runs a
    second process on the same data directory. A `deploy.update_config` rolling update is
    overridden and reported. StatefulSets replace pods one at a time already."""
    t = ctx.tracer(plan)
    if plan.kind != "Deployment" or not plan.rwo_claims:
        return
    claims = ", ".join(sorted(set(plan.rwo_claims)))
    if plan.strategy.get("type") == "RollingUpdate":
        ctx.finding("KM-W-UNSUPPORTED", src(plan, "deploy.update_config"),
                    f"deploy.update_config's rolling update is replaced by Recreate: the pods mount the "
                    f"ReadWriteOnce claim(s) {claims}", "use a ReadWriteMany storage class to roll without downtime")
    plan.strategy = {"type": "Recreate"}
    t.approximated(src(plan, "volumes"), f"{plan.ref} .spec.strategy", "R-WL-07",
                   f"Recreate: ReadWriteOnce claim(s) {claims}; the old pod stops before the new one starts")


def build_workload(ctx: Context, plan: ServicePlan) -> dict[str, Any]:
    """Assemble the workload object from everything the rules put into the plan."""
    container = {"name": plan.name, **plan.container}
    if plan.mounts:
        container["volumeMounts"] = sorted(plan.mounts, key=lambda m: (m["mountPath"], m["name"]))
    pod: dict[str, Any] = dict(plan.pod)
    if plan.init_containers:
        pod["initContainers"] = plan.init_containers
    pod["containers"] = [container, *plan.sidecars]
    if plan.volumes:
        pod["volumes"] = sorted(plan.volumes, key=lambda v: v["name"])
    template_meta: dict[str, Any] = {"labels": {**common_labels(ctx, plan.name), **plan.pod_labels}}
    if plan.pod_annotations:
        template_meta["annotations"] = dict(sorted(plan.pod_annotations.items()))
    template = {"metadata": template_meta, "spec": pod}
    meta = metadata(ctx, plan.name, plan.name)
    meta["labels"] = {**meta["labels"], **plan.labels}  # type: ignore[dict-item]
    if plan.annotations:
        meta["annotations"] = dict(sorted(plan.annotations.items()))
    spec: dict[str, Any]
    if plan.kind == "Job":
        pod["restartPolicy"] = plan.job_restart
        spec = {"backoffLimit": plan.job_backoff, "template": template}
        if plan.replicas != 1:
            spec["parallelism"] = plan.replicas
            spec["completions"] = plan.replicas
        api = "batch/v1"
    else:
        spec = {"selector": {"matchLabels": selector(plan)}, "template": template}
        if plan.kind == "Deployment" and plan.strategy:
            spec["strategy"] = plan.strategy
        if plan.kind in ("Deployment", "StatefulSet") and not plan.x.get("hpa"):
            # With an HPA the replica count is the autoscaler's: writing it would fight it on apply.
            spec = {"replicas": plan.replicas, **spec}
        if plan.kind == "StatefulSet":
            spec["serviceName"] = plan.name
            if plan.claim_templates:
                spec["volumeClaimTemplates"] = plan.claim_templates
        api = "apps/v1"
    return {"apiVersion": api, "kind": plan.kind, "metadata": meta, "spec": spec}
