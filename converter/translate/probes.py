"""healthcheck → readiness, liveness and startup probes."""

from __future__ import annotations

import math
import re
import shlex
from typing import Any
from urllib.parse import urlsplit

from converter.model import Healthcheck
from converter.translate.container import seconds
from converter.translate.context import Context, ServicePlan, src
from converter.translate.rules import rule

# Compose's defaults when a healthcheck leaves a field out.
DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RETRIES = 30.0, 30.0, 3
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}
_TRAILING_EXIT = re.compile(r"\s*\|\|\s*exit\s+1\s*$")
_SHELL_META = re.compile(r"[;&|<>`$()]")
# curl options that take a value and do not change the pass/fail outcome.
_CURL_VALUE_OPTS = {"-o", "--output", "-m", "--max-time", "--connect-timeout", "-H", "--header",
                    "-A", "--user-agent", "--retry", "-w", "--write-out"}
_CURL_FLAGS = {"-s", "--silent", "-S", "--show-error", "-f", "--fail", "-L", "--location",
               "-k", "--insecure", "--fail-with-body", "-q"}
_WGET_VALUE_OPTS = {"-O", "--output-document", "-T", "--timeout", "-t", "--tries", "-U", "--header",
                    "--user-agent"}
# Options whose value is a request header: kept as httpGet.httpHeaders (a `Host:` header picks the
# virtual host; dropping it changes what the check asks for).
_HEADER_OPTS = {"-H": None, "--header": None, "-A": "User-Agent", "--user-agent": "User-Agent",
                "-U": "User-Agent"}
_WGET_FLAGS = {"-q", "--quiet", "--spider", "-nv", "--no-verbose", "-S", "-qO-", "--no-check-certificate"}


def probe_command(test: list[str]) -> list[str] | None:
    """The exec argv for a healthcheck test, or None when it disables the check."""
    if not test or test[0] == "NONE":
        return None
    if test[0] == "CMD":
        return list(test[1:])
    if test[0] == "CMD-SHELL":
        return ["/bin/sh", "-c", " ".join(test[1:])]
    return ["/bin/sh", "-c", " ".join(test)]  # a bare string, already normalised by the loader


def http_probe(argv: list[str]) -> dict[str, Any] | None:
    """Recognise `curl -f http://localhost:PORT/path` and `wget -q --spider URL` / `wget -qO- URL`
    (exec form, or `sh -c` with nothing but that command and an optional `|| exit 1`)."""
    words = argv
    if len(argv) == 3 and argv[:2] == ["/bin/sh", "-c"]:
        script = _TRAILING_EXIT.sub("", argv[2])
        if _SHELL_META.search(script):
            return None
        try:
            words = shlex.split(script)
        except ValueError:
            return None
    if not words:
        return None
    tool = words[0].rsplit("/", 1)[-1]
    headers: list[dict[str, str]] = []
    if tool == "curl":
        url = _parse_args(words[1:], _CURL_FLAGS, _CURL_VALUE_OPTS, require_fail=True, headers=headers)
    elif tool == "wget":
        url = _parse_args(words[1:], _WGET_FLAGS, _WGET_VALUE_OPTS, require_fail=False, headers=headers)
    else:
        return None
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    action: dict[str, Any] = {"path": path, "port": port}
    if parts.scheme == "https":
        action["scheme"] = "HTTPS"
    if headers:
        action["httpHeaders"] = headers
    return action


def _header(option: str, value: str) -> dict[str, str] | None:
    """A header option's value as {name, value}; None when it is not `Name: value`."""
    fixed = _HEADER_OPTS[option]
    if fixed:
        return {"name": fixed, "value": value}
    name, sep, rest = value.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", name):
        return None
    return {"name": name, "value": rest.strip()}


def _parse_args(args: list[str], flags: set[str], value_opts: set[str], require_fail: bool,
                headers: list[dict[str, str]] | None = None) -> str | None:
    url = None
    failing = not require_fail
    i = 0
    while i < len(args):
        arg = args[i]
        option, _, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if option in value_opts:
            value = inline if inline else (args[i + 1] if i + 1 < len(args) else "")
            if option in _HEADER_OPTS:
                header = _header(option, value)
                if header is None or headers is None:
                    return None  # a header we cannot express: keep the exec probe
                headers.append(header)
            i += 1 if inline else 2
            continue
        if arg in flags:
            failing = failing or arg in ("-f", "--fail", "--fail-with-body")
        elif re.fullmatch(r"-[a-zA-Z]+", arg) and require_fail and set(arg[1:]) <= set("fsSLkq"):
            failing = failing or "f" in arg
        elif re.fullmatch(r"-q?O-?", arg) or arg in ("-qO", "-O-"):
            pass
        elif arg.startswith("-"):
            return None  # an option we do not know might change the outcome
        elif url is None:
            url = arg
        else:
            return None
        i += 1
    return url if failing else None


def _timings(hc: Healthcheck) -> tuple[int, int, int]:
    period = seconds(hc.interval if hc.interval is not None else DEFAULT_INTERVAL)
    timeout = seconds(hc.timeout if hc.timeout is not None else DEFAULT_TIMEOUT)
    retries = max(1, hc.retries if hc.retries is not None else DEFAULT_RETRIES)
    return period, timeout, retries


@rule("R-PROBE-01", "healthcheck → readinessProbe (exec, or httpGet per R-PROBE-04)", keys=("healthcheck",))
def map_healthcheck(ctx: Context, plan: ServicePlan) -> None:
    """`healthcheck.test` becomes a readinessProbe, so a Service only sends traffic to healthy
    pods (and `depends_on: service_healthy` waits for exactly that). `["CMD", …]` is used as
    the exec argv as is; `["CMD-SHELL", cmd]` and the string form run `["/bin/sh", "-c", cmd]`,
    as Docker does. `interval` → `periodSeconds`, `timeout` → `timeoutSeconds`, `retries` →
    `failureThreshold`, each rounded up to whole seconds (min 1) and with Compose's defaults
    (30 s, 30 s, 3) when left out. `test: ["NONE"]` and `disable: true` give no probe. Liveness
    is R-PROBE-02, startup R-PROBE-03, HTTP recognition R-PROBE-04.
    `x-kubemap: {probes: {readiness: false, liveness: false}}` turns either off."""
    t = ctx.tracer(plan)
    svc = plan.service
    hc = svc.healthcheck
    if hc is None:
        return
    s = src(plan, "healthcheck")
    if hc.disable or not hc.test or probe_command(hc.test) is None:
        t.mapped(s, [], "R-PROBE-01", reason="healthcheck disabled: no probe (the image's HEALTHCHECK "
                 "is ignored by Kubernetes anyway)")
        return
    argv = probe_command(hc.test)
    assert argv is not None
    period, timeout, retries = _timings(hc)
    http = http_probe(argv)
    handler: dict[str, Any] = {"httpGet": http} if http else {"exec": {"command": argv}}
    base = {**handler, "periodSeconds": period, "timeoutSeconds": timeout}
    choice = plan.x.get("probes") if isinstance(plan.x.get("probes"), dict) else {}
    targets = []
    if choice.get("readiness", True):
        plan.container["readinessProbe"] = {**base, "failureThreshold": retries}
        targets.append(plan.container_field("readinessProbe"))
    if choice.get("liveness", True):
        liveness_probe(ctx, plan, base, retries)
        targets.append(plan.container_field("livenessProbe"))
    if hc.start_period:
        startup_probe(ctx, plan, handler, hc, period, timeout=timeout, retries=retries)
        targets.append(plan.container_field("startupProbe"))
    if http:
        http_recognised(ctx, plan, argv, http)
    if http:
        how = "recognised as an HTTP check (R-PROBE-04)"
    elif argv[:2] == ["/bin/sh", "-c"]:
        how = "shell form runs under /bin/sh -c"
    else:
        how = "exec argv as written"
    t.mapped(s + ".test", targets, "R-PROBE-01", reason=how)
    for key, value, field in (("interval", hc.interval, "periodSeconds"), ("timeout", hc.timeout, "timeoutSeconds"),
                              ("retries", hc.retries, "failureThreshold")):
        if value is not None:
            exact = not isinstance(value, float) or value == math.ceil(value)
            t.trace(f"{s}.{key}", [target + "." + field for target in targets[:1]], "R-PROBE-01",
                    "mapped" if exact else "approximated",
                    "" if exact else "rounded up to whole seconds")
    if hc.start_interval is not None and not hc.start_period:
        t.mapped(f"{s}.start_interval", [], "R-PROBE-03", reason="no start_period: unused")


@rule("R-PROBE-02", "healthcheck → livenessProbe (higher threshold)", keys=("healthcheck",))
def liveness_probe(ctx: Context, plan: ServicePlan, base: dict[str, Any], retries: int) -> None:
    """The same check also becomes a livenessProbe with `failureThreshold = 2 × retries`.
    Compose only marks a container unhealthy and never restarts it for that; Kubernetes restarts
    a container that fails liveness, so liveness is given twice Compose's patience: a briefly
    unhealthy pod is taken out of the Service (readiness) long before it is restarted."""
    t = ctx.tracer(plan)
    plan.container["livenessProbe"] = {**base, "failureThreshold": 2 * retries}
    retries_written = plan.service.healthcheck and plan.service.healthcheck.retries is not None
    t.approximated(src(plan, "healthcheck.retries" if retries_written else "healthcheck"),
                   plan.container_field("livenessProbe.failureThreshold"), "R-PROBE-02",
                   f"restart after {2 * retries} failures (Compose only marks the container unhealthy)")


@rule("R-PROBE-03", "healthcheck.start_period → startupProbe", keys=("healthcheck.start_period",))
def startup_probe(ctx: Context, plan: ServicePlan, handler: dict[str, Any], hc: Healthcheck,
                  period: int, *, timeout: int, retries: int) -> None:
    """`start_period` becomes a startupProbe with the same check: its `periodSeconds` is
    `start_interval` when given (else `interval`) and its `failureThreshold` is
    `ceil(start_period / periodSeconds) + retries`, so the container has the whole start period
    plus Compose's usual retries before it counts as failed. Readiness and liveness only start
    once the startup probe has passed (under Compose, failures during start_period simply do not
    count)."""
    t = ctx.tracer(plan)
    start_period = hc.start_period or 0.0
    step = seconds(hc.start_interval) if hc.start_interval else period
    threshold = math.ceil(start_period / step) + retries
    plan.container["startupProbe"] = {**handler, "periodSeconds": step, "timeoutSeconds": timeout,
                                      "failureThreshold": threshold}
    s = src(plan, "healthcheck")
    t.mapped(f"{s}.start_period", plan.container_field("startupProbe.failureThreshold"), "R-PROBE-03",
             reason=f"ceil({start_period:g}s / {step}s) + {retries} retries = {threshold}")
    if hc.start_interval is not None:
        t.mapped(f"{s}.start_interval", plan.container_field("startupProbe.periodSeconds"), "R-PROBE-03")


@rule("R-PROBE-04", "curl -f / wget localhost healthchecks → httpGet", keys=("healthcheck.test",))
def http_recognised(ctx: Context, plan: ServicePlan, argv: list[str], action: dict[str, Any]) -> None:
    """A test that is only `curl -f http://localhost:PORT/path` (also `-fsS`, `--fail`,
    `127.0.0.1`, `[::1]`) or `wget -q --spider URL` / `wget -qO- URL` (optionally followed by
    `|| exit 1`) becomes an `httpGet` probe on PORT and path. The image then needs no curl or
    wget for its probe. Differences: the kubelet connects to the pod IP, not to localhost (an app
    bound only to 127.0.0.1 fails the probe), treats 200–399 as success, and does not verify TLS
    certificates. Request headers (`-H "Host: app.local"`, `--header`, `-A`) are kept as
    `httpHeaders`; a `Host` header picks the virtual host the check asks. Anything else in the
    command keeps the exec probe."""
    t = ctx.tracer(plan)
    t.approximated(src(plan, "healthcheck.test"), plan.container_field("readinessProbe.httpGet"), "R-PROBE-04",
                   f"{' '.join(argv)!r} → httpGet port {action['port']} path {action['path']}; the kubelet "
                   "calls the pod IP, not localhost")
