"""x-kubemap settings of the pod and its container that Compose has no key for: image pull
policy and secrets, service account, fsGroup, init containers, and probe overrides. Kompose's
labels for the same things are read into these settings (R-KOMPOSE-01)."""

from __future__ import annotations

import math
import re
from typing import Any

from converter.errors import TranslateError
from converter.translate.context import Context, ServicePlan
from converter.translate.rules import rule

DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RETRIES = 30.0, 30.0, 3  # Compose's healthcheck defaults
PULL_POLICIES = {"always": "Always", "ifnotpresent": "IfNotPresent", "never": "Never"}
PROBE_KEYS = {"test", "http_get", "tcp_port", "interval", "timeout", "retries", "start_period"}
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def _duration(value: Any, where: str) -> int:
    """A Compose duration (10s, 1m30s, 500ms) or seconds → whole seconds, at least 1."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(1, math.ceil(value))
    match = _DURATION.match(str(value).strip())
    if not match or not any(match.groups()):
        raise TranslateError(f"{value!r} is not a duration", key_path=where, hint="e.g. 10s, 1m30s, 500ms")
    h, m, s, ms = (float(g) if g else 0.0 for g in match.groups())
    return max(1, math.ceil(h * 3600 + m * 60 + s + ms / 1000))


def _at(where: str, key: str) -> str:
    """The key path of a part of a setting (a label is one key: its parts are not paths)."""
    return where if ".labels." in where else f"{where}.{key}"


def _name(value: Any, what: str, where: str) -> str:
    text = str(value)
    if not _NAME.match(text):
        raise TranslateError(f"{what} {text!r} is not a valid Kubernetes name", key_path=where,
                             hint="lower-case letters, digits, '-' and '.'")
    return text


@rule("R-X-02", "x-kubemap.image_pull_policy → imagePullPolicy", keys=("x-kubemap",))
def map_image_pull_policy(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap: {image_pull_policy: Always|IfNotPresent|Never}` sets the container's
    `imagePullPolicy`, over what `pull_policy` or `build` chose (Kompose:
    `kompose.image-pull-policy`)."""
    value = plan.x.get("image_pull_policy")
    if value is None:
        return
    where = plan.x_source("image_pull_policy")
    policy = PULL_POLICIES.get(str(value).lower())
    if policy is None:
        raise TranslateError(f"unknown image pull policy {value!r}", key_path=where,
                             hint="use Always, IfNotPresent or Never")
    plan.container["imagePullPolicy"] = policy
    ctx.trace(where, plan.container_field("imagePullPolicy"), "R-X-02", service=plan.service.name)


@rule("R-X-03", "x-kubemap.image_pull_secrets → imagePullSecrets", keys=("x-kubemap",))
def map_image_pull_secrets(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap: {image_pull_secrets: [NAME, …]}` (or one name) → the pod's
    `imagePullSecrets`: Secrets of type kubernetes.io/dockerconfigjson you create in the
    namespace (Kompose: `kompose.image-pull-secret`)."""
    value = plan.x.get("image_pull_secrets")
    if value is None:
        return
    where = plan.x_source("image_pull_secrets")
    names = value if isinstance(value, list) else [value]
    plan.pod["imagePullSecrets"] = [{"name": _name(n, "image pull secret", where)} for n in names]
    ctx.trace(where, plan.pod_field("imagePullSecrets"), "R-X-03", service=plan.service.name)


@rule("R-X-04", "x-kubemap.service_account → serviceAccountName", keys=("x-kubemap",))
def map_service_account(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap: {service_account: NAME}` → the pod's `serviceAccountName` (a ServiceAccount
    you create; Kompose: `kompose.serviceaccount-name`)."""
    value = plan.x.get("service_account")
    if value is None:
        return
    where = plan.x_source("service_account")
    plan.pod["serviceAccountName"] = _name(value, "service account", where)
    ctx.trace(where, plan.pod_field("serviceAccountName"), "R-X-04", service=plan.service.name)


@rule("R-X-05", "x-kubemap.fs_group → securityContext.fsGroup", keys=("x-kubemap",))
def map_fs_group(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap: {fs_group: GID}` → the pod's `securityContext.fsGroup`: volumes are made
    group-owned by GID, so a non-root process can write a fresh claim (Kompose:
    `kompose.security-context.fsgroup`). Compose has no equivalent (Docker volumes take the
    image directory's owner)."""
    value = plan.x.get("fs_group")
    if value is None:
        return
    where = plan.x_source("fs_group")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TranslateError(f"fs_group {value!r} is not a group id", key_path=where, hint="e.g. fs_group: 1001")
    plan.pod.setdefault("securityContext", {})["fsGroup"] = value
    ctx.trace(where, plan.pod_field("securityContext.fsGroup"), "R-X-05", service=plan.service.name)


@rule("R-X-06", "x-kubemap.init_containers → initContainers", keys=("x-kubemap",))
def map_init_containers(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap: {init_containers: [{name, image, command}]}` → init containers run before the
    service's container, after kubemap's own depends_on waits (R-DEP-*); `command` is an argv
    list, or a string run with `/bin/sh -c` (Kompose: `kompose.init.containers.*`)."""
    value = plan.x.get("init_containers")
    if value is None:
        return
    where = plan.x_source("init_containers")
    entries = value if isinstance(value, list) else [value]
    taken = {c.get("name") for c in plan.init_containers}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("image") or set(entry) - {"name", "image", "command"}:
            raise TranslateError("an init container is {name, image, command}", key_path=f"{where}[{i}]",
                                 hint='e.g. {name: migrate, image: "app:1", command: ["./migrate"]}')
        name = _name(entry.get("name") or f"init-{i}", "init container", where)
        if name in taken or name == plan.name:
            raise TranslateError(f"init container name {name!r} is taken", key_path=f"{where}[{i}]",
                                 hint="give it another name")
        taken.add(name)
        container: dict[str, Any] = {"name": name, "image": str(entry["image"])}
        command = entry.get("command")
        if isinstance(command, list):
            container["command"] = [str(c) for c in command]
        elif command:
            container["command"] = ["/bin/sh", "-c", str(command)]
        plan.init_containers.append(container)
        ctx.trace(where, plan.pod_field(f"initContainers[name={name}]"), "R-X-06", service=plan.service.name)


def _handler(probe: dict[str, Any], where: str) -> dict[str, Any] | None:
    test, http, tcp = probe.get("test"), probe.get("http_get"), probe.get("tcp_port")
    if sum(x is not None for x in (test, http, tcp)) > 1:
        raise TranslateError("a probe has one check: test, http_get or tcp_port", key_path=where)
    if isinstance(test, list):
        argv = [str(a) for a in test]
        argv = argv[1:] if argv[:1] == ["CMD"] else ["/bin/sh", "-c", " ".join(argv[1:])] \
            if argv[:1] == ["CMD-SHELL"] else argv
        return {"exec": {"command": argv}}
    if test is not None:
        text = str(test).strip()
        if text.startswith("CMD ") or text.startswith("CMD-SHELL "):
            text = text.split(" ", 1)[1]
        return {"exec": {"command": ["/bin/sh", "-c", text]}}  # the string form runs in a shell, as Compose's
    if http is not None:
        if not isinstance(http, dict) or "port" not in http:
            raise TranslateError("http_get needs a port (and a path, default /)", key_path=where)
        return {"httpGet": {"path": str(http.get("path") or "/"), "port": int(http["port"])}}
    if tcp is not None:
        return {"tcpSocket": {"port": int(tcp)}}
    return None


@rule("R-X-07", "x-kubemap.probes.{readiness,liveness}: {…} → that probe", keys=("x-kubemap",))
def map_probe_overrides(ctx: Context, plan: ServicePlan) -> None:
    """`x-kubemap: {probes: {readiness: {…}, liveness: {…}}}` replaces that probe's check and
    timings: `test` (argv list, or a string run with /bin/sh -c), `http_get: {path, port}` or
    `tcp_port`; `interval`, `timeout`, `retries`, `start_period` (→ initialDelaySeconds). What it
    leaves out comes from the healthcheck's probe (R-PROBE-01/02), else from the healthcheck's
    interval, timeout and retries (even without a test; liveness: twice the retries, as
    R-PROBE-02), else Compose's defaults (30s, 30s, 3). A probe needs a check: from here or from the healthcheck (Kompose:
    `kompose.service.healthcheck.readiness.*` / `.liveness.*`)."""
    choice = plan.x.get("probes")
    if not isinstance(choice, dict):
        return
    for kind in ("readiness", "liveness"):
        probe = choice.get(kind)
        if not isinstance(probe, dict):
            continue
        at = plan.x_source(f"probes.{kind}")
        unknown = sorted(set(probe) - PROBE_KEYS)
        if unknown:
            raise TranslateError(f"unknown probe key(s): {', '.join(unknown)}", key_path=at,
                                 hint="known keys: " + ", ".join(sorted(PROBE_KEYS)))
        field = f"{kind}Probe"
        current = dict(plan.container.get(field) or {})
        handler = _handler(probe, at)
        if handler is None:
            handler = {k: v for k, v in current.items() if k in ("exec", "httpGet", "tcpSocket", "grpc")}
        if not handler:
            raise TranslateError(f"the {kind} probe has no check: no test, http_get or tcp_port, and no healthcheck",
                                 key_path=at, hint="add test, http_get: {path, port} or tcp_port")
        period, timeout, threshold = _healthcheck_timings(plan, kind)
        result: dict[str, Any] = {**handler,
                                  "periodSeconds": current.get("periodSeconds", period),
                                  "timeoutSeconds": current.get("timeoutSeconds", timeout),
                                  "failureThreshold": current.get("failureThreshold", threshold)}
        if "interval" in probe:
            result["periodSeconds"] = _duration(probe["interval"], _at(at, "interval"))
        if "timeout" in probe:
            result["timeoutSeconds"] = _duration(probe["timeout"], _at(at, "timeout"))
        if "retries" in probe:
            result["failureThreshold"] = max(1, int(probe["retries"]))
        if "start_period" in probe:
            result["initialDelaySeconds"] = _duration(probe["start_period"], _at(at, "start_period"))
        plan.container[field] = result
        ctx.trace(at, plan.container_field(field), "R-X-07", service=plan.service.name)


def _healthcheck_timings(plan: ServicePlan, kind: str) -> tuple[int, int, int]:
    """The healthcheck's interval, timeout and retries (Compose's defaults for those it leaves
    out), even when it has no test; liveness gets twice the retries, as R-PROBE-02."""
    hc = plan.service.healthcheck
    interval = hc.interval if hc and hc.interval is not None else DEFAULT_INTERVAL
    timeout = hc.timeout if hc and hc.timeout is not None else DEFAULT_TIMEOUT
    retries = max(1, hc.retries if hc and hc.retries is not None else DEFAULT_RETRIES)
    return _duration(interval, ""), _duration(timeout, ""), retries * (2 if kind == "liveness" else 1)


def map_pod_settings(ctx: Context, plan: ServicePlan) -> None:
    """Every rule of this module, in order (after the healthcheck and depends_on rules)."""
    map_image_pull_policy(ctx, plan)
    map_image_pull_secrets(ctx, plan)
    map_service_account(ctx, plan)
    map_fs_group(ctx, plan)
    map_init_containers(ctx, plan)
    map_probe_overrides(ctx, plan)
