"""depends_on → init containers that wait, and RBAC for waiting on Jobs."""

from __future__ import annotations

from typing import Any

from converter.errors import TranslateError
from converter.model import Project
from converter.model.depends import depends_on_cycle
from converter.model.images import known_shellless
from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import metadata
from converter.translate.naming import dns_label
from converter.translate.rules import rule

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
API_SERVER = "https://kubernetes.default.svc"  # the in-cluster address of the Kubernetes API
POLL_SECONDS = 2

# The scripts are argv[2] of /bin/sh -c. They avoid "$(" on purpose: Kubernetes would expand it.
TCP_WAIT = """h={host} p={port}
echo "kubemap: waiting for $h:$p to accept TCP connections"
until
  if command -v nc >/dev/null 2>&1; then nc -z -w 2 "$h" "$p"
  elif command -v bash >/dev/null 2>&1; then bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$h" "$p" 2>/dev/null
  elif command -v python3 >/dev/null 2>&1; then python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2)' "$h" "$p" 2>/dev/null
  else echo "kubemap: this image has no nc, bash or python3 to wait with; set x-kubemap.wait_image" >&2; exit 1
  fi
do sleep {poll}; done
"""

DNS_WAIT = """h={host}
echo "kubemap: waiting for $h to resolve (it has no ports; DNS lists only ready pods)"
until
  if command -v getent >/dev/null 2>&1; then getent hosts "$h" >/dev/null
  elif command -v nslookup >/dev/null 2>&1; then nslookup "$h" >/dev/null 2>&1
  elif command -v python3 >/dev/null 2>&1; then python3 -c 'import socket,sys; socket.gethostbyname(sys.argv[1])' "$h" 2>/dev/null
  else echo "kubemap: this image has no getent, nslookup or python3 to wait with; set x-kubemap.wait_image" >&2; exit 1
  fi
do sleep {poll}; done
"""

JOB_WAIT = """job={job} sa={sa} api={api}
echo "kubemap: waiting for Job $job to complete"
until
  ns=`cat $sa/namespace` && tok=`cat $sa/token`
  url="$api/apis/batch/v1/namespaces/$ns/jobs/$job?pretty=false"
  if command -v curl >/dev/null 2>&1; then body=`curl -sS --cacert "$sa/ca.crt" -H "Authorization: Bearer $tok" "$url"`
  elif command -v wget >/dev/null 2>&1; then body=`wget -qO- --content-on-error --ca-certificate="$sa/ca.crt" --header "Authorization: Bearer $tok" "$url"`
  elif command -v python3 >/dev/null 2>&1; then body=`python3 -c '
import ssl, sys, urllib.request as r, urllib.error as e
q = r.Request(sys.argv[1], headers={{"Authorization": "Bearer " + sys.argv[2]}})
try:
    print(r.urlopen(q, context=ssl.create_default_context(cafile=sys.argv[3]), timeout=5).read().decode())
except e.HTTPError as err:
    print(err.read().decode())
except OSError as err:
    print(err, file=sys.stderr)
' "$url" "$tok" "$sa/ca.crt"`
  else echo "kubemap: this image has no curl, wget or python3 to query the Job; set x-kubemap.wait_image" >&2; exit 1
  fi
  case "$body" in
    *'"succeeded":'[1-9]*|*'"succeeded": '[1-9]*) true ;;
    *'"type":"Failed","status":"True"'*|*'"type": "Failed",'*'"status": "True"'*) echo "kubemap: Job $job failed" >&2; exit 1 ;;
    *'"code":403'*|*'"code": 403'*) echo "kubemap: not allowed to read Job $job (check Role and ServiceAccount)" >&2; false ;;
    *'"code":404'*|*'"code": 404'*) echo "kubemap: Job $job does not exist (yet)" >&2; false ;;
    *) false ;;
  esac
do sleep {poll}; done
"""


def check_cycles(project: Project) -> None:
    """depends_on must be acyclic (model/depends.py): the loader already refuses a cycle; a
    Project built another way gets the same answer here."""
    cycle = depends_on_cycle({name: list(svc.depends_on) for name, svc in project.services.items()})
    if cycle:
        raise TranslateError("depends_on cycle: " + " -> ".join(cycle),
                             key_path=f"services.{cycle[-2]}.depends_on.{cycle[-1]}",
                             hint="remove one of these dependencies; Compose cannot start a cycle")


def wait_image(ctx: Context, plan: ServicePlan) -> tuple[str, str]:
    """The image the wait containers run, and why: never a public image nobody asked for."""
    for where, ext in (("x-kubemap.wait_image", plan.x), ("top-level x-kubemap.wait_image", ctx.top_x)):
        if isinstance(ext.get("wait_image"), str):
            return ext["wait_image"], where
    return plan.image, "the service's own image"


def wait_without_shell(ctx: Context, plan: ServicePlan) -> str | None:
    """Why the image the waits would run in has no shell (R-IMAGE-04), or None."""
    image, where = wait_image(ctx, plan)
    if where == "the service's own image":
        return plan.shellless
    return ctx.shellless_images.get(image) or known_shellless(image)


@rule("R-DEP-04", "depends_on in a shell-less image without wait_image → (no init container, reported)",
      keys=("depends_on",))
def no_shell_wait(ctx: Context, plan: ServicePlan, dep_name: str, source: str, why: str) -> None:
    """The wait loops of R-DEP-01/02 are `/bin/sh` scripts run in the dependant's own image. When
    that image is known to have no shell (R-IMAGE-04: a Dockerfile whose final stage is `FROM
    scratch`, distroless, …) the init container could never start (`Init:RunContainerError`), so
    none is emitted: the service starts without waiting (Kubernetes restarts it until its
    dependency answers) and the finding says what is missing: set `x-kubemap.wait_image` (on the
    service or at the top level) to an image with `/bin/sh` and nc, bash or python3 (curl, wget
    or python3 to wait for a Job), for example one the project already builds."""
    t = ctx.tracer(plan)
    t.approximated(source, [], "R-DEP-04",
                   f"not waited for: {plan.image} has no shell ({why}); set x-kubemap.wait_image")
    ctx.finding("KM-W-WAIT-NO-SHELL", source,
                f"{plan.service.name} does not wait for {dep_name}: the wait would run /bin/sh in {plan.image}, "
                f"which has none ({why})",
                "set x-kubemap: {wait_image: IMAGE} to an image with /bin/sh and nc, bash or python3")


def _wait_container(ctx: Context, plan: ServicePlan, name: str, script: str) -> dict[str, Any]:
    image, _ = wait_image(ctx, plan)
    name = dns_label(name)
    if name == plan.name:  # container names are unique across init and app containers
        name = dns_label(f"{name}-init")
    container: dict[str, Any] = {"name": name, "image": image,
                                 "command": ["/bin/sh", "-c", script]}
    policy = _wait_pull_policy(ctx, plan, image)
    if policy:
        container["imagePullPolicy"] = policy
    return container


def _wait_pull_policy(ctx: Context, plan: ServicePlan, image: str) -> str | None:
    """The wait container pulls its image the way the service that runs that image does. An
    image no service of the project runs (a plain x-kubemap.wait_image) gets IfNotPresent: with
    no policy a `:latest` tag defaults to Always, and a locally built or `kind load`ed image
    would then never start (found by running the stack on kind)."""
    if image == plan.image:
        return plan.container.get("imagePullPolicy")
    owners = [p for p in ctx.plans.values() if p.image == image and "imagePullPolicy" in p.container]
    return owners[0].container["imagePullPolicy"] if owners else "IfNotPresent"


@rule("R-DEP-01", "depends_on (service_started / service_healthy) → init container wait-for-<dep>",
      keys=("depends_on",))
def map_depends_on(ctx: Context, plan: ServicePlan) -> None:
    """Each blocking dependency becomes an init container `wait-for-<dep>` that loops until the
    dependency's Service accepts a TCP connection on its first TCP port. For `service_healthy`
    that is exactly right: the Service only has endpoints for pods whose readiness probe (from
    the dependency's healthcheck, R-PROBE-01) passes. For `service_started` it waits a bit longer
    than Compose (until the port answers, not until the process started). A dependency with no
    TCP port is waited for by DNS: its headless Service resolves once a pod is ready.
    The init container runs the dependant's own image (or `x-kubemap.wait_image`) with a
    `/bin/sh -c` loop that tries `nc -z`, then bash's `/dev/tcp`, then python3, and says
    clearly when the image has none of them; no public image (busybox) is pulled.
    `required: false` is R-DEP-03; `service_completed_successfully` is R-DEP-02. `restart: true`
    (restart the dependant when the dependency restarts) has no equivalent and is reported."""
    t = ctx.tracer(plan)
    svc = plan.service
    waits_on_jobs: list[str] = []
    if not svc.depends_on and "depends_on" in svc.keys:
        t.mapped(src(plan, "depends_on"), [], "R-DEP-01", reason="empty")
    for dep_name in sorted(svc.depends_on):
        cond = svc.depends_on[dep_name]
        s = src(plan, f"depends_on.{dep_name}")
        dep = ctx.plans.get(dep_name)
        if not cond.required:
            optional_dependency(ctx, plan, dep_name, s)
            continue
        if dep is None:
            t.unsupported(s, "R-DEP-01", f"{dep_name!r} is not part of the converted project",
                          f"dependency {dep_name!r} is not converted (disabled profile?)")
            continue
        if dep.host is not None or plan.host is not None:
            if (dep.host or dep) is (plan.host or plan):
                t.approximated(s, [], "R-DEP-01", "same pod (network_mode: service): started together, "
                               "no wait")
                continue
            dep = dep.host or dep  # a sidecar is reached through its host's Service
        if cond.restart:
            t.unsupported(s + ".restart", "R-DEP-01",
                          "Kubernetes does not restart dependants when a dependency restarts",
                          "depends_on restart: true is not converted")
        no_shell = wait_without_shell(ctx, plan)
        if no_shell and not (cond.condition != "service_completed_successfully" and dep.kind == "Job"
                             and not [p for p in dep.service_ports if p["protocol"] == "TCP"]):
            no_shell_wait(ctx, plan, dep_name, s, no_shell)
            continue
        if cond.condition == "service_completed_successfully":
            waits_on_jobs.append(dep.name)
            completion_dependency(ctx, plan, dep, s)
            continue
        if cond.condition == "service_healthy" and (dep.service.healthcheck is None or dep.service.healthcheck.disable):
            ctx.finding("KM-W-NO-HEALTHCHECK", s,
                        f"{dep_name} has no healthcheck; waiting only until its port answers",
                        f"add a healthcheck to {dep_name}")
        tcp = [p for p in dep.service_ports if p["protocol"] == "TCP"]
        _, why_image = wait_image(ctx, plan)
        name = f"wait-for-{dep.name}"
        if tcp:
            script = TCP_WAIT.format(host=dep.name, port=tcp[0]["port"], poll=POLL_SECONDS)
            how = f"TCP connect to {dep.name}:{tcp[0]['port']}"
        elif dep.kind == "Job":
            t.approximated(s, [], "R-DEP-01",
                           f"{dep_name} is a Job without ports; nothing to wait for over the network")
            continue
        else:
            script = DNS_WAIT.format(host=dep.name, poll=POLL_SECONDS)
            how = f"DNS name {dep.name} resolves (no TCP port to connect to)"
        plan.init_containers.append(_wait_container(ctx, plan, name, script))
        t.approximated(s, plan.pod_field(f"initContainers[name={dns_label(name)}]"), "R-DEP-01",
                       f"{cond.condition}: {how}; runs {why_image} with /bin/sh (nc, bash or python3)")
    if waits_on_jobs:
        _job_reader_rbac(ctx, plan, waits_on_jobs)


@rule("R-DEP-02", "depends_on service_completed_successfully → Job + init container polling the Job",
      keys=("depends_on",))
def completion_dependency(ctx: Context, plan: ServicePlan, dep: ServicePlan, source: str) -> None:
    """The dependency becomes a Job (R-WL-04). A Job's completion is not visible on the network,
    so the dependant's init container `wait-for-<dep>` asks the Kubernetes API for the Job's
    status every 2 s until `status.succeeded ≥ 1` (and fails loudly when the Job has failed, as
    Compose refuses to start the dependant). For that the dependant's pods run as a ServiceAccount
    `<service>-wait` bound to a Role that may only `get` those Jobs by name. The loop uses curl,
    else GNU wget, else python3, from the dependant's own image (or `x-kubemap.wait_image`). Alternatives were
    rejected: running the dependency again as an init container repeats it in every pod, and
    waiting for the Job's own dependencies does not wait for the Job."""
    t = ctx.tracer(plan)
    name = f"wait-for-{dep.name}"
    script = JOB_WAIT.format(job=dep.name, sa=SA_DIR, api=API_SERVER, poll=POLL_SECONDS)
    plan.init_containers.append(_wait_container(ctx, plan, name, script))
    _, why_image = wait_image(ctx, plan)
    t.approximated(source, [plan.pod_field(f"initContainers[name={dns_label(name)}]"),
                       f"Role/{plan.name}-wait", f"Job/{dep.name}"], "R-DEP-02",
                   f"polls Job {dep.name}'s status through the Kubernetes API (get on that Job only); "
                   f"runs {why_image} with /bin/sh and curl, wget or python3")
    if plan.kind == "Job" and plan.name == dep.name:
        raise TranslateError("a service cannot wait for itself", key_path=source)


def _job_reader_rbac(ctx: Context, plan: ServicePlan, jobs: list[str]) -> None:
    name = f"{plan.name}-wait"
    svc_name = plan.service.name
    ctx.add(svc_name, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata(ctx, name, plan.name)})
    ctx.add(svc_name, {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                       "metadata": metadata(ctx, name, plan.name),
                       "rules": [{"apiGroups": ["batch"], "resources": ["jobs"],
                                  "resourceNames": sorted(jobs), "verbs": ["get"]}]})
    subject: dict[str, str] = {"kind": "ServiceAccount", "name": name}
    if ctx.options.namespace:
        subject["namespace"] = ctx.options.namespace
    ctx.add(svc_name, {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                       "metadata": metadata(ctx, name, plan.name),
                       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                       "subjects": [subject]})
    plan.pod["serviceAccountName"] = name


@rule("R-DEP-03", "depends_on required: false → not blocking", keys=("depends_on",))
def optional_dependency(ctx: Context, plan: ServicePlan, dep_name: str, source: str) -> None:
    """A dependency with `required: false` does not block start-up under Compose when it is
    missing or fails, so no init container is added; Kubernetes starts every workload
    independently anyway."""
    t = ctx.tracer(plan)
    t.mapped(source, [], "R-DEP-03", reason="required: false: not blocking, no init container")
