"""x-kubemap.schedule: a one-shot service run on a schedule, as a batch/v1 CronJob (R-CRON-01),
and x-kubemap.backoff_limit for any Job."""

from __future__ import annotations

import re
from typing import Any

from converter.errors import TranslateError
from converter.translate.context import Context, ServicePlan
from converter.translate.rules import rule
from converter.translate.workload import long_running_signs

CRON_KEYS = ("concurrency_policy", "successful_jobs_history_limit", "failed_jobs_history_limit", "time_zone",
             "starting_deadline_seconds")
CONCURRENCY = {"allow": "Allow", "forbid": "Forbid", "replace": "Replace"}
# Kubernetes' cron parser (robfig/cron standard): five fields, names for months and weekdays,
# and these macros.
MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
          ("month", 1, 12, {m: i + 1 for i, m in enumerate(
              ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}),
          ("day of week", 0, 7, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}))
_TIME_ZONE = re.compile(r"^[A-Za-z_+-]+(/[A-Za-z0-9_+-]+)*$")
SPEC_FIELDS = {"concurrency_policy": "concurrencyPolicy", "successful_jobs_history_limit": "successfulJobsHistoryLimit",
               "failed_jobs_history_limit": "failedJobsHistoryLimit", "time_zone": "timeZone",
               "starting_deadline_seconds": "startingDeadlineSeconds"}


def schedule_problem(schedule: str) -> str | None:
    """Why Kubernetes would refuse this cron schedule, or None when it is valid."""
    text = schedule.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        return "a time zone in the schedule is refused by Kubernetes; use time_zone"
    if text.startswith("@"):
        return None if text in MACROS else f"unknown macro {text} (one of {', '.join(sorted(MACROS))})"
    parts = text.split()
    if len(parts) != 5:
        return f"a schedule has 5 fields (minute hour day-of-month month day-of-week), not {len(parts)}"
    for part, (name, low, high, names) in zip(parts, FIELDS):
        for item in part.split(","):
            problem = _item_problem(item.lower(), low, high, names)
            if problem:
                return f"{name} {part!r}: {problem}"
    return None


def _item_problem(item: str, low: int, high: int, names: dict[str, int]) -> str | None:
    body, _, step = item.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f"step {step!r} is not a positive number"
    if body in ("*", "?"):
        return None
    for value in body.split("-", 1):
        number = names.get(value, int(value) if value.isdigit() else None)
        if number is None:
            return f"{value!r} is not a number"
        if not low <= number <= high:
            return f"{number} is outside {low}-{high}"
    return None


def _count(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise TranslateError(f"{key} {value!r} is not a whole number ≥ 0", key_path=where)
    return int(str(value).strip())


@rule("R-CRON-01", "x-kubemap.schedule → CronJob (a one-shot service on a schedule)", keys=("x-kubemap",))
def choose_cronjob(ctx: Context, plan: ServicePlan, completions: dict[str, list[str]],
                   waiters: dict[str, list[str]]) -> None:
    """`x-kubemap: {schedule: "*/5 * * * *"}` runs a one-shot service (one that becomes a Job,
    R-WL-04: `restart: "no"` or `on-failure`, no ports, nobody waits for it to start) on that
    schedule: a `batch/v1` CronJob whose jobTemplate is the Job kubemap would make. Also
    `concurrency_policy` (Allow|Forbid|Replace), `successful_jobs_history_limit`,
    `failed_jobs_history_limit`, `time_zone` (an IANA name, e.g. Europe/Paris) and
    `starting_deadline_seconds`; `backoff_limit` sets the Job's `backoffLimit` (any Job).
    Kompose's `kompose.cronjob.schedule`, `.concurrency_policy` and `.backoff_limit` are read as
    these. Compose has no schedule: under Compose the service runs once. A schedule on a server
    (ports, a healthcheck, others waiting for it), on a service others wait to complete (each run
    is a new Job with a time-stamped name), or that Kubernetes' cron parser would refuse, is an
    error."""
    x = plan.x
    svc = plan.service
    schedule = x.get("schedule")
    if schedule is None:
        extra = [k for k in CRON_KEYS if k in x]
        if extra:
            raise TranslateError(f"{', '.join(extra)} need(s) a schedule", key_path=plan.x_source(extra[0]),
                                 hint='add schedule: "*/5 * * * *" (a CronJob), or drop them')
        _backoff_limit(ctx, plan)
        return
    where = plan.x_source("schedule")
    problem = schedule_problem(str(schedule))
    if problem:
        raise TranslateError(f"schedule {schedule!r}: {problem}", key_path=where,
                             hint='five fields, e.g. "*/5 * * * *" (every 5 minutes) or "0 3 * * *" (03:00 daily)')
    if plan.kind != "Job":
        signs = long_running_signs(plan, waiters) or [f"it is a {plan.kind}"]
        raise TranslateError(f"schedule needs a one-shot service, and {svc.name} keeps running: {'; '.join(signs)}",
                             key_path=where, hint="a scheduled service exits when done: restart: \"no\" (or "
                             "on-failure), no ports or healthcheck, nobody depends on it being started")
    if svc.name in completions:
        raise TranslateError(f"{', '.join(completions[svc.name])} wait(s) for {svc.name} to complete, but a scheduled "
                             "service runs again and again, each time as a new Job", key_path=where,
                             hint="drop the schedule, or the service_completed_successfully dependency")
    if plan.host is not None:
        raise TranslateError(f"{svc.name} runs in another service's pod (network_mode: service:…): it cannot "
                             "have a schedule of its own", key_path=where)
    cron: dict[str, Any] = {"schedule": str(schedule).strip()}
    for key in CRON_KEYS:
        if key not in x:
            continue
        at = plan.x_source(key)
        value = x[key]
        if key == "concurrency_policy":
            if str(value).lower() not in CONCURRENCY:
                raise TranslateError(f"concurrency_policy {value!r} is not Allow, Forbid or Replace", key_path=at)
            value = CONCURRENCY[str(value).lower()]
        elif key == "time_zone":
            if not _TIME_ZONE.match(str(value)):
                raise TranslateError(f"time_zone {value!r} is not an IANA time zone name", key_path=at,
                                     hint="e.g. Etc/UTC, Europe/Paris")
            value = str(value)
        else:
            value = _count(value, at, key)
        cron[SPEC_FIELDS[key]] = value
    plan.cron = cron
    ctx.trace(where, f"{plan.ref} .spec.schedule", "R-CRON-01",
              reason="runs on this schedule; under Compose the service runs once", service=svc.name)
    for key in CRON_KEYS:
        if key in x:
            ctx.trace(plan.x_source(key), f"{plan.ref} .spec.{SPEC_FIELDS[key]}", "R-CRON-01", service=svc.name)
    _backoff_limit(ctx, plan)


def _backoff_limit(ctx: Context, plan: ServicePlan) -> None:
    """x-kubemap.backoff_limit → the Job's backoffLimit (over restart: on-failure:N)."""
    if "backoff_limit" not in plan.x:
        return
    where = plan.x_source("backoff_limit")
    if plan.kind != "Job":
        raise TranslateError(f"backoff_limit is for a Job, and {plan.service.name} is a {plan.kind}", key_path=where,
                             hint="drop it, or make the service one-shot (restart: \"no\")")
    plan.job_backoff = _count(plan.x["backoff_limit"], where, "backoff_limit")
    path = ".spec.jobTemplate.spec.backoffLimit" if plan.cron is not None else ".spec.backoffLimit"
    ctx.trace(where, f"{plan.ref} {path}", "R-CRON-01", service=plan.service.name)


def as_cronjob(plan: ServicePlan, job: dict[str, Any]) -> dict[str, Any]:
    """The Job kubemap built for the service, as the jobTemplate of its CronJob."""
    if plan.cron is None:
        return job
    template_meta = {"labels": dict(job["spec"]["template"]["metadata"]["labels"])}
    spec = {**plan.cron, "jobTemplate": {"metadata": template_meta, "spec": job["spec"]}}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": job["metadata"], "spec": spec}
