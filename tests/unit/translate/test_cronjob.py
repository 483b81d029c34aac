"""R-CRON-01: x-kubemap.schedule → a CronJob, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from converter.errors import TranslateError
from converter.model import DependsOn, Healthcheck, PortMapping
from converter.translate.cronjob import schedule_problem

from .helpers import obj, run, service, traces


def _job(**x: Any) -> Any:
    return service("tick", image="busybox", restart="no", command=["echo", "hi"], extensions={"x-kubemap": x})


def test_r_cron_01_schedule_makes_a_cronjob_around_the_job() -> None:
    bundle = run(_job(schedule="*/5 * * * *", concurrency_policy="forbid", successful_jobs_history_limit=2,
                      failed_jobs_history_limit=1, time_zone="Europe/Paris", backoff_limit=3))
    cron = obj(bundle, "CronJob", "tick")
    assert cron["apiVersion"] == "batch/v1"
    spec = cron["spec"]
    assert (spec["schedule"], spec["concurrencyPolicy"], spec["timeZone"]) == ("*/5 * * * *", "Forbid", "Europe/Paris")
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (2, 1)
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 3
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    assert job["template"]["spec"]["containers"][0]["args"] == ["echo", "hi"]
    assert not any(o.kind in ("Job", "Service") for o in bundle.objects)
    assert ["CronJob/tick .spec.schedule"] in [e.targets for e in traces(bundle, "services.tick.x-kubemap.schedule")]
    command = [e for e in bundle.trace if e.source == "services.tick.command"]
    assert command and command[0].targets[0].startswith("CronJob/tick .spec.jobTemplate.spec.template.spec.containers[0]")


def test_r_cron_01_backoff_limit_on_a_plain_job() -> None:
    assert obj(run(_job(backoff_limit=4)), "Job", "tick")["spec"]["backoffLimit"] == 4


@pytest.mark.parametrize(("fields", "message"), [
    pytest.param({"ports": [PortMapping(target=80, published="8080")]}, "keeps running: it has ports",
                 id="R-CRON-01-server-with-ports"),
    pytest.param({"restart": "always"}, "is a Deployment", id="R-CRON-01-long-running"),
    pytest.param({"healthcheck": Healthcheck(test=["CMD", "true"])}, "it has a healthcheck",
                 id="R-CRON-01-healthcheck"),
])
def test_r_cron_01_a_server_cannot_have_a_schedule(fields: dict[str, Any], message: str) -> None:
    svc = service("tick", image="busybox", **{"restart": "no", **fields},
                  extensions={"x-kubemap": {"schedule": "* * * * *"}})
    with pytest.raises(TranslateError, match=message) as caught:
        run(svc)
    assert caught.value.key_path == "services.tick.x-kubemap.schedule"


def test_r_cron_01_others_waiting_for_completion_is_an_error() -> None:
    app = service("app", image="x", depends_on={"tick": DependsOn(condition="service_completed_successfully")})
    with pytest.raises(TranslateError, match="runs again and again"):
        run(_job(schedule="@hourly"), app)


@pytest.mark.parametrize(("x", "message"), [
    pytest.param({"schedule": "* * * *"}, "5 fields", id="R-CRON-01-four-fields"),
    pytest.param({"schedule": "61 * * * *"}, "outside 0-59", id="R-CRON-01-bad-minute"),
    pytest.param({"schedule": "CRON_TZ=UTC * * * * *"}, "time_zone", id="R-CRON-01-tz-in-schedule"),
    pytest.param({"schedule": "* * * * *", "concurrency_policy": "Sometimes"}, "Allow, Forbid or Replace",
                 id="R-CRON-01-bad-concurrency"),
    pytest.param({"concurrency_policy": "Forbid"}, "need(s) a schedule", id="R-CRON-01-settings-without-schedule"),
    pytest.param({"schedule": "* * * * *", "failed_jobs_history_limit": -1}, "whole number",
                 id="R-CRON-01-negative-limit"),
])
def test_r_cron_01_bad_settings_are_clear_errors(x: dict[str, Any], message: str) -> None:
    with pytest.raises(TranslateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(_job(**x))


@pytest.mark.parametrize("schedule", ["* * * * *", "*/5 0-6 1,15 jan-mar mon-fri", "0 3 * * 7", "@daily", "0 0 ? * *"])
def test_valid_schedules(schedule: str) -> None:
    assert schedule_problem(schedule) is None
