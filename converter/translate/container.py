"""The main container and pod-level fields that come straight from service keys."""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any

from converter.errors import TranslateError
from converter.model import Service
from converter.translate.context import Context, ServicePlan, src
from converter.translate.naming import dns_label
from converter.translate.rules import rule


_EXPANDABLE_DOLLAR = re.compile(r"\$(?=[$(])")
SWARM_TEMPLATE = re.compile(r"\{\{\s*\.(?:Node|Service|Task)\.[A-Za-z.]+\s*\}\}")


def escape_dollar_paren(arg: str) -> str:
    """Kubernetes expands `$(VAR)` in command/args and reduces `$$` to `$`; Compose already
    interpolated, so what is left is literal. Every `$` followed by `(` or `$` is doubled, so
    `$(date)` → `$$(date)` and a literal `$$` survives. `$VAR` is left alone (Kubernetes does not
    touch it, and a shell in the image expands it at run time, as under Compose)."""
    return _EXPANDABLE_DOLLAR.sub("$$", arg)


def seconds(value: float, minimum: int = 1) -> int:
    """Durations are rounded up to whole seconds (Kubernetes has no sub-second probe fields)."""
    return max(minimum, math.ceil(value))


@rule("R-CMD-01", "entrypoint → command, command → args ($( escaped)", keys=("entrypoint", "command"))
def map_command(ctx: Context, plan: ServicePlan) -> None:
    """`entrypoint` becomes the container `command` and `command` becomes `args` (Docker's
    ENTRYPOINT/CMD are Kubernetes' command/args). Compose has already interpolated `${VAR}`;
    Kubernetes would expand `$(NAME)` a second time and reduce `$$` to `$`, so every `$` before
    `(` or `$` is doubled (`$(date)` → `$$(date)`). `$VAR` is
    never rewritten. Setting `entrypoint` without `command` drops the image's CMD in both. An
    empty `entrypoint: ""` / `[]` with a `command` runs the command as the whole argv: it becomes
    the container `command` (no args). Without a command it cannot be expressed (an empty
    command means "image default") and is reported."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.entrypoint == [] and svc.command:
        # Compose runs `command` as the whole argv when the entrypoint is cleared: so does a
        # container `command` (it replaces ENTRYPOINT, and no args replace CMD).
        plan.container["command"] = [escape_dollar_paren(a) for a in svc.command]
        t.mapped(src(plan, "entrypoint"), plan.container_field("command"), "R-CMD-01",
                 reason="entrypoint cleared: command runs as the whole argv")
        t.mapped(src(plan, "command"), plan.container_field("command"), "R-CMD-01",
                 reason="the whole argv (entrypoint cleared)")
        return
    if svc.entrypoint is not None:
        if svc.entrypoint:
            plan.container["command"] = [escape_dollar_paren(a) for a in svc.entrypoint]
            escaped = any("$(" in a for a in svc.entrypoint)
            t.mapped(src(plan, "entrypoint"), plan.container_field("command"), "R-CMD-01",
                     reason="'$(' escaped as '$$('" if escaped else "")
        else:
            t.unsupported(src(plan, "entrypoint"), "R-CMD-01",
                          "an empty entrypoint means 'image default' in Kubernetes",
                          "entrypoint: [] (clear the image ENTRYPOINT) without a command cannot be expressed",
                          "set an explicit entrypoint, or a command to run instead")
    if svc.command is not None:
        plan.container["args"] = [escape_dollar_paren(a) for a in svc.command]
        escaped = any("$(" in a for a in svc.command)
        t.mapped(src(plan, "command"), plan.container_field("args"), "R-CMD-01",
                 reason="'$(' escaped as '$$('" if escaped else "")


@rule("R-CMD-02", "working_dir, stdin_open, tty → workingDir, stdin, tty",
      keys=("working_dir", "stdin_open", "tty"))
def map_process_options(ctx: Context, plan: ServicePlan) -> None:
    """`working_dir` → container `workingDir`; `stdin_open` → `stdin`; `tty` → `tty`. Same
    meaning as under Docker: the process starts in that directory, keeps stdin open and gets a
    terminal (useful with `kubectl attach -it`). Nothing differs."""
    t = ctx.tracer(plan)
    svc = plan.service
    for key, field, value in (("working_dir", "workingDir", svc.working_dir),
                              ("stdin_open", "stdin", svc.stdin_open), ("tty", "tty", svc.tty)):
        if value is not None:
            plan.container[field] = value
            t.mapped(src(plan, key), plan.container_field(field), "R-CMD-02")


def cpu_quantity(cpus: float) -> str:
    milli = max(1, round(cpus * 1000))
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def memory_quantity(size: int) -> str:
    for suffix, factor in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


@rule("R-RES-01", "deploy.resources / mem_limit / cpus → resources.limits/requests",
      keys=("deploy.resources", "mem_limit", "mem_reservation", "cpus"))
def map_resources(ctx: Context, plan: ServicePlan) -> None:
    """`deploy.resources.limits` → `resources.limits`, `reservations` → `resources.requests`;
    the legacy `cpus`/`mem_limit` and `mem_reservation` fill in what `deploy` does not say.
    CPUs become millicores (`0.5` → `500m`), bytes become binary quantities when exact (`256Mi`),
    else plain bytes. `pids`, `devices` and `generic_resources` have no container-level
    equivalent and are reported. Without a request Kubernetes uses the limit as the request."""
    t = ctx.tracer(plan)
    svc = plan.service
    res = svc.deploy.resources if svc.deploy else None
    limits: dict[str, str] = {}
    requests: dict[str, str] = {}
    for spec_name, spec, out in (("limits", res.limits if res else None, limits),
                                 ("reservations", res.reservations if res else None, requests)):
        if spec is None:
            continue
        target = plan.container_field("resources." + ("limits" if out is limits else "requests"))
        if spec.cpus is not None:
            out["cpu"] = cpu_quantity(spec.cpus)
            t.mapped(src(plan, f"deploy.resources.{spec_name}.cpus"), target + ".cpu", "R-RES-01")
        if spec.memory is not None:
            out["memory"] = memory_quantity(spec.memory)
            t.mapped(src(plan, f"deploy.resources.{spec_name}.memory"), target + ".memory",
                     "R-RES-01")
        if spec_name == "reservations" and spec.devices:
            map_gpus(ctx, plan, spec.devices, limits)
        for extra in ("pids", "devices", "generic_resources"):
            if extra == "devices" and spec_name == "reservations" and "nvidia.com/gpu" in limits:
                continue
            if getattr(spec, extra):
                s = src(plan, f"deploy.resources.{spec_name}.{extra}")
                t.unsupported(s, "R-RES-01", f"{extra} has no container resource equivalent",
                              f"{extra} is not converted",
                              "GPUs: add e.g. nvidia.com/gpu to resources.limits by hand")
    legacy = (("cpus", svc.cpus, limits, "cpu", cpu_quantity), ("mem_limit", svc.mem_limit, limits, "memory", memory_quantity),
              ("mem_reservation", svc.mem_reservation, requests, "memory", memory_quantity))
    for key, value, out, field, convert in legacy:
        if value is None:
            continue
        where = "limits" if out is limits else "requests"
        target = plan.container_field(f"resources.{where}.{field}")
        if field in out:
            t.approximated(src(plan, key), target, "R-RES-01",
                           f"deploy.resources sets {where}.{field}, which wins")
        else:
            out[field] = convert(value)  # type: ignore[operator]
            t.mapped(src(plan, key), target, "R-RES-01")
    for field, raw_limit, raw_request in _raw_pairs(svc):
        if raw_limit is not None and raw_request is not None and raw_request > raw_limit:
            raise TranslateError(
                f"the {field} reservation ({raw_request:g}) is larger than its limit ({raw_limit:g})",
                key_path=src(plan, "deploy.resources"), hint="a reservation must not exceed the limit (Docker refuses it too)",
            )
    if limits or requests:
        plan.container["resources"] = {k: v for k, v in (("limits", limits), ("requests", requests)) if v}
    if res is not None:
        t.mapped(src(plan, "deploy.resources"), plan.container_field("resources"), "R-RES-01")


def _raw_pairs(svc: Service) -> list[tuple[str, float | None, float | None]]:
    """(resource, effective limit, effective request) in Compose units, deploy winning over legacy."""
    res = svc.deploy.resources if svc.deploy else None
    lim = res.limits if res and res.limits else None
    req = res.reservations if res and res.reservations else None
    cpu_limit = lim.cpus if lim and lim.cpus is not None else svc.cpus
    mem_limit = lim.memory if lim and lim.memory is not None else svc.mem_limit
    mem_request = req.memory if req and req.memory is not None else svc.mem_reservation
    cpu_request = req.cpus if req else None
    return [("cpu", cpu_limit, cpu_request), ("memory", mem_limit, mem_request)]


@rule("R-RES-02", "deploy.resources.reservations.devices / gpus (NVIDIA GPUs) → limits nvidia.com/gpu",
      keys=("deploy.resources", "gpus"))
def map_gpus(ctx: Context, plan: ServicePlan, devices: list[dict[str, Any]], limits: dict[str, str],
             key: str = "deploy.resources.reservations.devices") -> bool:
    """A device reservation with `capabilities: [gpu]` (driver nvidia or unset) and a numeric
    `count` (or `device_ids`) becomes `resources.limits["nvidia.com/gpu"]`, which the NVIDIA
    device plugin schedules. `count: all` cannot be expressed (a pod asks for a number) and is
    read as 1, reported. Other devices are reported by R-RES-01."""
    t = ctx.tracer(plan)
    total = 0
    approximated = False
    for device in devices:
        caps: set[str] = set()
        for entry in device.get("capabilities") or []:  # ["gpu"] (Compose) or [["gpu"]] (Docker API)
            caps.update(entry if isinstance(entry, list) else [entry])
        if "gpu" not in caps or device.get("driver") not in (None, "nvidia"):
            return False
        count = device.get("count")
        if device.get("device_ids"):
            total += len(device["device_ids"])
        elif isinstance(count, int) or (isinstance(count, str) and count.isdigit()):
            total += int(count)
        else:
            total += 1
            approximated = True
    limits["nvidia.com/gpu"] = str(total)
    s = src(plan, key)
    t.approximated(s, plan.container_field('resources.limits["nvidia.com/gpu"]'), "R-RES-02",
                   f"{total} GPU(s); needs the NVIDIA device plugin"
                   + ("; count: all read as 1" if approximated else ""))
    if approximated:
        ctx.finding("KM-W-GPU-COUNT", s, "GPU count 'all' is requested as 1 GPU", "give a number of GPUs")
    return True


def map_gpus_key(ctx: Context, plan: ServicePlan) -> None:
    """The service-level `gpus:` key (`all` or a list of devices) goes through R-RES-02 too."""
    t = ctx.tracer(plan)
    value = plan.service.other.get("gpus")
    if value is None:
        return
    devices = [{"capabilities": ["gpu"], "count": "all"}] if value == "all" else [
        {"capabilities": ["gpu"], **d} for d in value if isinstance(d, dict)]
    resources = plan.container.setdefault("resources", {})
    limits = resources.setdefault("limits", {})
    if not (devices and map_gpus(ctx, plan, devices, limits, "gpus")):
        t.unsupported(src(plan, "gpus"), "R-RES-02", "not a GPU request kubemap understands",
                      "gpus is not converted")
    if not limits:
        resources.pop("limits")
    if not resources:
        plan.container.pop("resources")


@rule("R-POD-01", "stop_grace_period → terminationGracePeriodSeconds", keys=("stop_grace_period",))
def map_stop_grace(ctx: Context, plan: ServicePlan) -> None:
    """`stop_grace_period` → pod `terminationGracePeriodSeconds`, rounded up to whole seconds.
    Compose's default is 10 s, Kubernetes' 30 s; only an explicit value is written."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.stop_grace_period is not None:
        plan.pod["terminationGracePeriodSeconds"] = seconds(svc.stop_grace_period, 0)
        t.mapped(src(plan, "stop_grace_period"), plan.pod_field("terminationGracePeriodSeconds"),
                 "R-POD-01")


@rule("R-POD-02", "stop_signal → (reported)", keys=("stop_signal",))
def map_stop_signal(ctx: Context, plan: ServicePlan) -> None:
    """Kubernetes always sends SIGTERM first (per-container stop signals are alpha only), so
    `stop_signal` is reported. Put `STOPSIGNAL` in the image or handle SIGTERM."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.stop_signal is not None:
        s = src(plan, "stop_signal")
        t.unsupported(s, "R-POD-02", "Kubernetes sends SIGTERM",
                      f"stop_signal {svc.stop_signal} is not converted; pods get SIGTERM",
                      "handle SIGTERM in the process")


@rule("R-POD-03", "hostname → spec.hostname; domainname → (reported)", keys=("hostname", "domainname"))
def map_hostname(ctx: Context, plan: ServicePlan) -> None:
    """`hostname` → pod `spec.hostname` (what the process sees as its host name). It is not a DNS
    name peers can use under Compose's default network either; the Service name is. With
    replicas > 1 every pod gets the same host name, as under Compose. `domainname` cannot be set
    without a matching headless Service subdomain and is reported."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.hostname and SWARM_TEMPLATE.search(svc.hostname):
        return  # R-POD-11 reports it: a literal "{{.Node.Hostname}}" is not a host name
    if svc.hostname:
        label = dns_label(svc.hostname.split(".", 1)[0])
        plan.pod["hostname"] = label
        exact = label == svc.hostname
        t.trace(src(plan, "hostname"), plan.pod_field("hostname"), "R-POD-03",
                "mapped" if exact else "approximated",
                "" if exact else f"Kubernetes host names are RFC 1123 labels: {label!r}")
    if svc.domainname:
        s = src(plan, "domainname")
        t.unsupported(s, "R-POD-03", "no pod-level domain name", "domainname is not converted")


@rule("R-POD-04", "extra_hosts → hostAliases", keys=("extra_hosts",))
def map_extra_hosts(ctx: Context, plan: ServicePlan) -> None:
    """`extra_hosts` (host → IPs) → pod `hostAliases` (IP → host names), grouped by IP and
    sorted. `host-gateway` has no Kubernetes equivalent and is reported."""
    t = ctx.tracer(plan)
    svc = plan.service
    by_ip: dict[str, list[str]] = {}
    for host, ips in sorted(svc.extra_hosts.items()):
        for ip in ips:
            if ip == "host-gateway":
                s = src(plan, f"extra_hosts.{host}")
                t.unsupported(s, "R-POD-04", "host-gateway has no Kubernetes equivalent",
                              f"{host}:host-gateway is not converted",
                              "use a Service of type ExternalName or the node IP")
                continue
            by_ip.setdefault(ip, []).append(host)
            t.mapped(src(plan, f"extra_hosts.{host}"), plan.pod_field("hostAliases"), "R-POD-04")
    if by_ip:
        plan.pod["hostAliases"] = [{"ip": ip, "hostnames": sorted(set(h))} for ip, h in sorted(by_ip.items())]


DOCKER_EMBEDDED_DNS = "127.0.0.11"
_SEARCH_DOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
MAX_EXTRA_NAMESERVERS = 2  # the API allows 3 nameservers; the cluster DNS is the first


def compose_network_addresses(ctx: Context) -> list[Any]:
    """Subnets of the project's networks (IPAM) and fixed service addresses: IPs that only exist
    on a Compose network."""
    found: list[Any] = []
    for net in ctx.project.networks.values():
        ipam = net.other.get("ipam") if isinstance(net.other.get("ipam"), dict) else {}
        for entry in ipam.get("config") or []:
            try:
                found.append(ipaddress.ip_network(str(entry.get("subnet")), strict=False))
            except (ValueError, AttributeError):
                continue
    for svc in ctx.project.services.values():
        for attach in svc.networks.values():
            for address in (attach.ipv4_address, attach.ipv6_address) if attach else ():
                try:
                    found.append(ipaddress.ip_network(str(address)))
                except ValueError:
                    continue
    return found


def _on_compose_network(ip: str, networks: list[Any]) -> bool:
    if ip == DOCKER_EMBEDDED_DNS:
        return True
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return address.is_loopback or any(address.version == n.version and address in n for n in networks)


@rule("R-POD-05", "dns / dns_search / dns_opt → dnsConfig (cluster DNS kept first)", keys=("dns", "dns_search", "dns_opt"))
def map_dns(ctx: Context, plan: ServicePlan) -> None:
    """Under Compose, a container with `dns:` still resolves service names: Docker's embedded DNS
    answers them and forwards the rest to those servers. The Kubernetes equivalent keeps the
    pod's `dnsPolicy` (ClusterFirst: service names resolve, in init containers too) and adds
    the `dns` servers to `dnsConfig.nameservers` after the cluster DNS (at most two; the
    resolver uses them only when the cluster DNS does not answer). `dnsPolicy: None` is never
    written: it would replace the cluster DNS and nothing would resolve. Addresses that exist
    only on a Compose network (in a network's IPAM subnet, a service's fixed address, Docker's
    127.0.0.11, loopback) are dropped and reported: a pod cannot reach them. `dns_search` →
    `dnsConfig.searches` (entries that are not DNS domains, such as `""`, are dropped: the API
    server refuses them), `dns_opt` (`name[:value]`) → `dnsConfig.options`."""
    t = ctx.tracer(plan)
    svc = plan.service
    config: dict[str, object] = {}
    if svc.dns:
        networks = compose_network_addresses(ctx)
        unreachable = [ip for ip in svc.dns if _on_compose_network(ip, networks)]
        usable = [ip for ip in svc.dns if ip not in unreachable]
        kept, extra = usable[:MAX_EXTRA_NAMESERVERS], usable[MAX_EXTRA_NAMESERVERS:]
        if kept:
            config["nameservers"] = kept
        dropped = unreachable + extra
        t.approximated(src(plan, "dns"), [plan.pod_field("dnsConfig.nameservers")] if kept else [], "R-POD-05",
                       "cluster DNS first (service names keep resolving)"
                       + (f"; {', '.join(kept)} after it" if kept else "")
                       + (f"; dropped {', '.join(dropped)}" if dropped else ""))
        if unreachable:
            ctx.finding("KM-W-DNS", src(plan, "dns"),
                        f"nameserver(s) {', '.join(unreachable)} exist only on the Compose network; the pod uses the "
                        "cluster DNS instead", "run that DNS server as a Service and point a Corefile stub zone at it")
        if extra:
            ctx.finding("KM-W-DNS", src(plan, "dns"), f"nameserver(s) {', '.join(extra)} dropped: at most "
                        f"{MAX_EXTRA_NAMESERVERS} fit after the cluster DNS", "list fewer dns servers")
    searches = [d.rstrip(".") for d in svc.dns_search if _SEARCH_DOMAIN.match(d.rstrip("."))]
    if searches:
        config["searches"] = searches
    if svc.dns_search:
        dropped = [d for d in svc.dns_search if d.rstrip(".") not in searches]
        t.trace(src(plan, "dns_search"), plan.pod_field("dnsConfig.searches") if searches else [], "R-POD-05",
                "approximated" if dropped else "mapped",
                f"not a DNS domain: {', '.join(repr(d) for d in dropped)}" if dropped else "")
    if svc.dns_opt:
        options = []
        for opt in svc.dns_opt:
            name, sep, value = opt.partition(":")
            options.append({"name": name, "value": value} if sep else {"name": name})
        config["options"] = options
        t.mapped(src(plan, "dns_opt"), plan.pod_field("dnsConfig.options"), "R-POD-05")
    if config:
        plan.pod["dnsConfig"] = config


@rule("R-POD-06", "init → shareProcessNamespace", keys=("init",))
def map_init(ctx: Context, plan: ServicePlan) -> None:
    """`init: true` runs a tiny init (tini) as PID 1 that reaps zombies and forwards signals.
    The closest Kubernetes setting is `shareProcessNamespace: true`: the pod's pause process
    becomes PID 1 and reaps zombies, but the app no longer is PID 1 and processes of other
    containers in the pod become visible. Approximated. With `pid: host` (hostPID, which the
    API server refuses to combine with it) it is reported instead."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.init is None:
        return
    if svc.init and svc.other.get("pid") == "host":
        t.unsupported(src(plan, "init"), "R-POD-06",
                      "pid: host (hostPID) and shareProcessNamespace cannot be combined; the node's init reaps",
                      "init: true is not converted with pid: host",
                      "the pod uses the node's PID namespace, whose init reaps zombies")
        return
    if svc.init:
        plan.pod["shareProcessNamespace"] = True
        t.approximated(src(plan, "init"), plan.pod_field("shareProcessNamespace"), "R-POD-06",
                       "the pause container reaps zombies as PID 1; no signal forwarding by tini")
    else:
        t.mapped(src(plan, "init"), [], "R-POD-06", reason="init: false is the Kubernetes default")


@rule("R-POD-07", "shm_size → emptyDir (Memory) on /dev/shm", keys=("shm_size",))
def map_shm(ctx: Context, plan: ServicePlan) -> None:
    """`shm_size` → an `emptyDir: {medium: Memory, sizeLimit}` mounted on `/dev/shm` (Kubernetes
    gives containers a 64 MiB /dev/shm, like Docker's default). Memory used there counts against
    the container's memory limit."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.shm_size is None:
        return
    plan.volumes.append({"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": memory_quantity(svc.shm_size)}})
    plan.mounts.append({"name": "dshm", "mountPath": "/dev/shm"})
    t.mapped(src(plan, "shm_size"), [plan.pod_field("volumes[name=dshm]"),
                                      plan.container_field("volumeMounts[name=dshm]")],
             "R-POD-07")


@rule("R-POD-08", "ulimits → (reported)", keys=("ulimits",))
def map_ulimits(ctx: Context, plan: ServicePlan) -> None:
    """Kubernetes has no per-container ulimits; the node's container runtime defaults apply.
    Every `ulimits` entry is reported (raise it in the entrypoint with `ulimit`, or configure the
    runtime)."""
    t = ctx.tracer(plan)
    svc = plan.service
    for name in sorted(svc.ulimits):
        s = src(plan, f"ulimits.{name}")
        t.trace(s, [], "R-POD-08", "unsupported", "Kubernetes has no per-container ulimits")
        ctx.finding("KM-W-ULIMITS", s, f"ulimit {name} is not converted; the runtime default applies",
                    "configure the container runtime's default ulimits on the nodes")


KUBERNETES_OS = ("linux", "windows")
KUBERNETES_ARCH = {"amd64": "amd64", "x86_64": "amd64", "arm64": "arm64", "aarch64": "arm64", "arm": "arm",
                   "386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64",
                   "mips64le": "mips64le"}


@rule("R-POD-09", "platform → nodeSelector kubernetes.io/os, kubernetes.io/arch", keys=("platform",))
def map_platform(ctx: Context, plan: ServicePlan) -> None:
    """`platform: os/arch[/variant]` → `nodeSelector` on `kubernetes.io/os` and
    `kubernetes.io/arch`, so the pod lands on nodes that can run the image (`x86_64` →
    `amd64`, `aarch64` → `arm64`). The variant is dropped. A platform no Kubernetes node
    reports (`wasi/wasm`, needing a WebAssembly RuntimeClass) would make the pod unschedulable:
    it is reported and no nodeSelector is written."""
    t = ctx.tracer(plan)
    svc = plan.service
    if not svc.platform:
        return
    parts = svc.platform.lower().split("/")
    arch = KUBERNETES_ARCH.get(parts[1]) if len(parts) > 1 else None
    if parts[0] not in KUBERNETES_OS or (len(parts) > 1 and arch is None):
        t.unsupported(src(plan, "platform"), "R-POD-09", f"no Kubernetes node reports platform {svc.platform}",
                      f"platform {svc.platform} is not converted: no node has that os/arch",
                      "WebAssembly needs a RuntimeClass (runtimeClassName) set by hand")
        return
    selector = plan.pod.setdefault("nodeSelector", {})
    selector["kubernetes.io/os"] = parts[0]
    if arch:
        selector["kubernetes.io/arch"] = arch
    t.trace(src(plan, "platform"), plan.pod_field("nodeSelector"), "R-POD-09",
            "approximated" if len(parts) > 2 else "mapped",
            "variant dropped" if len(parts) > 2 else "")


@rule("R-PROFILE-01", "profiles → (applied by the loader)", keys=("profiles",))
def map_profiles(ctx: Context, plan: ServicePlan) -> None:
    """Profiles decide which services exist; the loader applied them (`--profile`). A service
    that is converted was enabled; disabled ones are listed, not converted."""
    t = ctx.tracer(plan)
    svc = plan.service
    if svc.profiles:
        t.mapped(src(plan, "profiles"), [], "R-PROFILE-01", reason="service enabled by the active profiles")


@rule("R-POD-10", "post_start / pre_stop → lifecycle.postStart / preStop (exec)", keys=("post_start", "pre_stop"))
def map_lifecycle_hooks(ctx: Context, plan: ServicePlan) -> None:
    """A Compose lifecycle hook's `command` becomes the container's `lifecycle.postStart` /
    `preStop` exec handler (a string command runs under `/bin/sh -c`). Kubernetes has one handler
    per event: with several hooks only the first is used, and a hook's `user`, `privileged`,
    `working_dir` and `environment` cannot be set apart from the container's; both are reported.
    Kubernetes runs postStart concurrently with the entrypoint, as Docker does."""
    t = ctx.tracer(plan)
    svc = plan.service
    for key, field in (("post_start", "postStart"), ("pre_stop", "preStop")):
        if key not in svc.other:
            continue
        hooks = svc.other[key] or []
        s = src(plan, key)
        first = hooks[0] if isinstance(hooks, list) and hooks and isinstance(hooks[0], dict) else None
        command = first.get("command") if first else None
        if not command:
            t.unsupported(s, "R-POD-10", "no command to run", f"{key} without a command is not converted")
            continue
        argv = ["/bin/sh", "-c", command] if isinstance(command, str) else [str(a) for a in command]
        plan.container.setdefault("lifecycle", {})[field] = {"exec": {"command": argv}}
        dropped = [k for k in sorted(first) if k != "command"] + (["more hooks"] if len(hooks) > 1 else [])
        t.trace(s, plan.container_field(f"lifecycle.{field}"), "R-POD-10",
                "approximated" if dropped else "mapped",
                ("not converted: " + ", ".join(dropped)) if dropped else "")
        if dropped:
            ctx.finding("KM-W-UNSUPPORTED", s, f"{key}: " + ", ".join(dropped) + " not converted",
                        "one exec handler per event, run as the container's user")


def _swarm_templated(plan: ServicePlan) -> list[tuple[str, str]]:
    """(key path, value) of every string the service writes that holds a Swarm template."""
    svc = plan.service
    found: list[tuple[str, str]] = []
    candidates: list[tuple[str, str]] = [("hostname", svc.hostname or "")]
    candidates += [(f"environment.{k}", v or "") for k, v in svc.environment.items()]
    candidates += [(f"env_file.{k}", v or "") for k, (v, origin) in svc.merged_environment().items()
                   if origin == "env_file"]
    candidates += [(f"labels.{k}", v) for k, v in svc.labels.items()]
    if svc.deploy:
        candidates += [(f"deploy.labels.{k}", v) for k, v in svc.deploy.labels.items()]
    candidates += [(f"volumes[{i}]", f"{m.source or ''}:{m.target}") for i, m in enumerate(svc.volumes)]
    candidates += [(f"command[{i}]", a) for i, a in enumerate(svc.command or [])]
    candidates += [(f"entrypoint[{i}]", a) for i, a in enumerate(svc.entrypoint or [])]
    for key, value in candidates:
        if SWARM_TEMPLATE.search(value):
            found.append((key, value))
    return found


@rule("R-POD-11", "Swarm templates ({{.Node.Hostname}}, {{.Task.Slot}}, …) → (reported)",
      keys=("hostname", "environment", "labels", "volumes", "command"))
def report_swarm_templates(ctx: Context, plan: ServicePlan) -> None:
    """Docker Swarm expands Go templates such as `{{.Node.Hostname}}`, `{{.Service.Name}}` or
    `{{.Task.Slot}}` in `hostname`, `environment`, labels and mounts when it starts a task;
    Compose and Kubernetes do not, so the text would reach the container literally. Each such
    value is reported with where it is written (a templated `hostname` is not set at all). The
    Kubernetes ways to the same facts: the downward API (`spec.nodeName`, `metadata.name`) in
    an env var, a StatefulSet's pod ordinal instead of the task slot."""
    t = ctx.tracer(plan)
    for key, value in _swarm_templated(plan):
        s = src(plan, key)
        if key == "hostname":
            t.trace(s, [], "R-POD-11", "unsupported", "Swarm template: not a host name")
        ctx.finding("KM-W-SWARM-TEMPLATE", s, f"{value!r} holds a Swarm template that nothing expands outside Swarm",
                    "use the downward API (fieldRef spec.nodeName / metadata.name) in an env var instead")
