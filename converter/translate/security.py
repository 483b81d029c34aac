"""user, capabilities, privileged, read_only, sysctls, security_opt, default hardening."""

from __future__ import annotations

import re

from converter.translate.context import Context, ServicePlan, src
from converter.translate.rules import rule

# Sysctls Kubernetes allows without a kubelet allow-list (the "safe" set).
SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
})
SELINUX_FIELDS = {"user": "user", "role": "role", "type": "type", "level": "level"}
_NUMERIC_USER = re.compile(r"^(\d+)(?::(\d+|[^:]+))?$")


def _security(plan: ServicePlan) -> dict:
    return plan.container.setdefault("securityContext", {})


@rule("R-SEC-01", "user uid[:gid] → runAsUser / runAsGroup", keys=("user",))
def map_user(ctx: Context, plan: ServicePlan) -> None:
    """A numeric `user` (`uid` or `uid:gid`) → container `runAsUser` / `runAsGroup`, plus
    `runAsNonRoot: true` when the uid is not 0. A user *name* (`app`, `app:app`) cannot be
    resolved without the image's /etc/passwd, so it is reported: set a numeric user (Dockerfile
    `USER 10001`) for Kubernetes to enforce non-root."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.user is None:
        return
    m = _NUMERIC_USER.match(svc.user)
    s = src(plan, "user")
    if not m:
        t.trace(s, [], "R-SEC-01", "unsupported", "a user name needs the image's /etc/passwd; the image's USER applies")
        ctx.finding("KM-W-USER-NAME", s, f"user {svc.user!r} is a name; Kubernetes needs a numeric uid",
                    "use user: \"<uid>:<gid>\" in Compose (or USER <uid> in the Dockerfile)")
        return
    uid = int(m.group(1))
    sc = _security(plan)
    sc["runAsUser"] = uid
    targets = [plan.container_field("securityContext.runAsUser")]
    group_name = m.group(2) is not None and not m.group(2).isdigit()
    if m.group(2) is not None and not group_name:
        sc["runAsGroup"] = int(m.group(2))
        targets.append(plan.container_field("securityContext.runAsGroup"))
    if uid != 0:
        sc["runAsNonRoot"] = True
        targets.append(plan.container_field("securityContext.runAsNonRoot"))
    if group_name:
        t.approximated(s, targets, "R-SEC-01", f"group name {m.group(2)!r} not converted")
        ctx.finding("KM-W-USER-NAME", s, f"group {m.group(2)!r} is a name; Kubernetes needs a numeric gid",
                    "use user: \"<uid>:<gid>\"")
        return
    t.mapped(s, targets, "R-SEC-01")


@rule("R-SEC-02", "cap_add / cap_drop / privileged / read_only → container securityContext",
      keys=("cap_add", "cap_drop", "privileged", "read_only"))
def map_container_security(ctx: Context, plan: ServicePlan) -> None:
    """`cap_add` / `cap_drop` → `securityContext.capabilities.add/drop` (the `CAP_` prefix
    removed, `ALL` kept); `privileged` → `privileged`; `read_only` → `readOnlyRootFilesystem`."""
    t = ctx.tracer(plan)
    svc = plan.service
    sc = _security(plan)
    caps: dict[str, list[str]] = {}
    for key, field, values in (("cap_add", "add", svc.cap_add), ("cap_drop", "drop", svc.cap_drop)):
        if values:
            caps[field] = [v.upper().removeprefix("CAP_") for v in values]
            t.mapped(src(plan, key), plan.container_field(f"securityContext.capabilities.{field}"),
                     "R-SEC-02")
    if caps:
        sc["capabilities"] = caps
    if svc.privileged is not None:
        sc["privileged"] = svc.privileged
        t.mapped(src(plan, "privileged"), plan.container_field("securityContext.privileged"), "R-SEC-02")
        if svc.privileged:
            ctx.finding("KM-W-PRIVILEGED", src(plan, "privileged"), "privileged container",
                        "many clusters (Pod Security 'baseline') reject privileged pods")
    if svc.read_only is not None:
        sc["readOnlyRootFilesystem"] = svc.read_only
        t.mapped(src(plan, "read_only"), plan.container_field("securityContext.readOnlyRootFilesystem"),
                 "R-SEC-02")


@rule("R-SEC-03", "sysctls → pod securityContext.sysctls", keys=("sysctls",))
def map_sysctls(ctx: Context, plan: ServicePlan) -> None:
    """`sysctls` → pod `securityContext.sysctls` (sorted). Kubernetes only allows its "safe"
    set by default; any other sysctl makes the pod fail to start unless the kubelet allows it
    (`--allowed-unsafe-sysctls`), so those are reported."""
    t = ctx.tracer(plan)
    svc = plan.service
    if not svc.sysctls:
        return
    plan.pod.setdefault("securityContext", {})["sysctls"] = [
        {"name": k, "value": str(v)} for k, v in sorted(svc.sysctls.items())
    ]
    for key in sorted(svc.sysctls):
        s = src(plan, f"sysctls.{key}")
        safe = key in SAFE_SYSCTLS
        t.trace(s, plan.pod_field("securityContext.sysctls"), "R-SEC-03", "mapped" if safe else "approximated",
                "" if safe else "unsafe sysctl: needs the kubelet's --allowed-unsafe-sysctls")
        if not safe:
            ctx.finding("KM-W-SYSCTL-UNSAFE", s, f"sysctl {key} is not in Kubernetes' safe set",
                        "allow it on the kubelet (--allowed-unsafe-sysctls) or drop it")


@rule("R-SEC-04", "security_opt → allowPrivilegeEscalation / seccompProfile / appArmorProfile / seLinuxOptions",
      keys=("security_opt",))
def map_security_opt(ctx: Context, plan: ServicePlan) -> None:
    """`no-new-privileges[:true]` → `allowPrivilegeEscalation: false`; `seccomp:unconfined` →
    `seccompProfile: Unconfined`, another `seccomp:<file>` is reported (a Localhost profile must
    be installed on nodes); `apparmor:unconfined` / `apparmor:<profile>` → `appArmorProfile`
    Unconfined / Localhost; `label:user|role|type|level:V` → `seLinuxOptions`; `label:disable`
    and anything else is reported."""
    t = ctx.tracer(plan)
    svc = plan.service
    sc = _security(plan)
    for i, opt in enumerate(svc.security_opt):
        s = src(plan, f"security_opt[{i}]")
        name, _, value = opt.replace("=", ":", 1).partition(":")
        if name == "no-new-privileges":
            sc["allowPrivilegeEscalation"] = value not in ("", "true")  # no-new-privileges ⇔ no escalation
            t.mapped(s, plan.container_field("securityContext.allowPrivilegeEscalation"), "R-SEC-04")
        elif name == "seccomp" and value == "unconfined":
            sc["seccompProfile"] = {"type": "Unconfined"}
            t.mapped(s, plan.container_field("securityContext.seccompProfile"), "R-SEC-04")
        elif name == "apparmor":
            sc["appArmorProfile"] = ({"type": "Unconfined"} if value == "unconfined"
                                     else {"type": "Localhost", "localhostProfile": value})
            t.trace(s, plan.container_field("securityContext.appArmorProfile"), "R-SEC-04",
                    "mapped" if value == "unconfined" else "approximated",
                    "" if value == "unconfined" else "the profile must be loaded on every node")
        elif name == "label" and value.split(":", 1)[0] in SELINUX_FIELDS and ":" in value:
            field, _, setting = value.partition(":")
            sc.setdefault("seLinuxOptions", {})[SELINUX_FIELDS[field]] = setting
            t.mapped(s, plan.container_field(f"securityContext.seLinuxOptions.{SELINUX_FIELDS[field]}"), "R-SEC-04")
        else:
            t.unsupported(s, "R-SEC-04", f"security option {opt!r} is not converted",
                          f"security_opt {opt!r} is not converted", "set the container securityContext by hand")


@rule("R-SEC-05", "(default hardening) → allowPrivilegeEscalation false, seccomp RuntimeDefault", keys=())
def harden(ctx: Context, plan: ServicePlan) -> bool:
    """Unless the service says otherwise, containers get `allowPrivilegeEscalation: false` and
    `seccompProfile: RuntimeDefault`, init containers too. Docker already applies its default
    seccomp profile, so that part changes nothing; no-new-privileges does change behaviour for
    setuid programs (sudo, su, ping on old images), which is reported once per project.
    `runAsNonRoot` is only set when a numeric non-root `user` is known (R-SEC-01): setting it
    blindly would stop every image whose USER is root or a name. Privileged containers keep
    privilege escalation (Kubernetes rejects the combination)."""
    sc = _security(plan)
    changed = False
    privileged = bool(sc.get("privileged")) or "SYS_ADMIN" in sc.get("capabilities", {}).get("add", [])
    if not privileged and "allowPrivilegeEscalation" not in sc:
        sc["allowPrivilegeEscalation"] = False
        changed = True
    if "seccompProfile" not in sc and not sc.get("privileged"):
        sc["seccompProfile"] = {"type": "RuntimeDefault"}
    for init in plan.init_containers:
        init["securityContext"] = {k: v for k, v in sc.items()
                                   if k in ("allowPrivilegeEscalation", "seccompProfile", "runAsUser",
                                            "runAsGroup", "runAsNonRoot")}
    return changed


@rule("R-SEC-06", "pid / ipc / group_add (other keys) → hostPID / hostIPC / supplementalGroups",
      keys=("pid", "ipc", "group_add"))
def map_namespaces(ctx: Context, plan: ServicePlan) -> None:
    """`pid: host` → `hostPID: true`; `ipc: host` → `hostIPC: true`; `ipc: shareable`/`private`
    are the pod default; numeric `group_add` entries → pod `securityContext.supplementalGroups`
    (group names are reported). `pid`/`ipc: service:x` or `container:x` cannot be expressed."""
    t = ctx.tracer(plan)
    svc = plan.service
    for key, field in (("pid", "hostPID"), ("ipc", "hostIPC")):
        if key not in svc.other:
            continue
        value = str(svc.other[key])
        s = src(plan, key)
        if value == "host":
            plan.pod[field] = True
            t.mapped(s, plan.pod_field(field), "R-SEC-06")
        elif value in ("private", "shareable", ""):
            t.mapped(s, [], "R-SEC-06", reason="the pod default")
        else:
            t.unsupported(s, "R-SEC-06", f"{key}: {value} cannot be expressed", f"{key}: {value} is not converted")
    if "group_add" in svc.other:
        groups = [str(g) for g in svc.other["group_add"] or []]
        numeric = [int(g) for g in groups if g.isdigit()]
        names = [g for g in groups if not g.isdigit()]
        if numeric:
            plan.pod.setdefault("securityContext", {})["supplementalGroups"] = numeric
        status = "mapped" if not names else "approximated" if numeric else "unsupported"
        t.trace(src(plan, "group_add"), plan.pod_field("securityContext.supplementalGroups") if numeric else [],
                "R-SEC-06", status, ("group names not converted: " + ", ".join(names)) if names else "")
        if names:
            ctx.finding("KM-W-UNSUPPORTED", src(plan, "group_add"), "group names need numeric ids: " + ", ".join(names))
