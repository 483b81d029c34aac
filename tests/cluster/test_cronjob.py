"""A scheduled service (x-kubemap.schedule, and Kompose's kompose.cronjob.* labels) applied to the
real API server as a batch/v1 CronJob: accepted, stored as generated, applied again unchanged.
(tests/kind runs one on a real node and waits for the Job it starts.)"""

from __future__ import annotations

from pathlib import Path

from kubernetes import client

COMPOSE = """
name: cron-case
services:
  tick:
    image: busybox:1.36
    restart: "no"
    command: ["sh", "-c", "date"]
    x-kubemap:
      schedule: "*/5 * * * *"
      concurrency_policy: Forbid
      successful_jobs_history_limit: 2
      failed_jobs_history_limit: 1
      time_zone: Etc/UTC
      backoff_limit: 1
  report:
    image: busybox:1.36
    restart: on-failure
    command: ["sh", "-c", "echo report"]
    labels:
      kompose.cronjob.schedule: "0 3 * * *"
      kompose.cronjob.concurrency_policy: Replace
      kompose.cronjob.backoff_limit: "3"
"""


def test_scheduled_services_are_cronjobs_the_api_server_stores(kubemap, kube, namespace, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    first = kubemap("apply", "-f", tmp_path / "compose.yaml", "-n", namespace)
    assert first.returncode == 0, first.stderr
    batch = client.BatchV1Api(kube)
    tick = batch.read_namespaced_cron_job("tick", namespace)
    assert (tick.spec.schedule, tick.spec.concurrency_policy, tick.spec.time_zone) == ("*/5 * * * *", "Forbid", "Etc/UTC")
    assert (tick.spec.successful_jobs_history_limit, tick.spec.failed_jobs_history_limit) == (2, 1)
    assert tick.spec.job_template.spec.backoff_limit == 1
    assert tick.spec.job_template.spec.template.spec.restart_policy == "Never"
    report = batch.read_namespaced_cron_job("report", namespace)
    assert (report.spec.schedule, report.spec.concurrency_policy) == ("0 3 * * *", "Replace")
    assert report.spec.job_template.spec.backoff_limit == 3
    assert report.spec.job_template.spec.template.spec.restart_policy == "OnFailure"
    assert not batch.list_namespaced_job(namespace).items  # nothing runs until the schedule says so
    again = kubemap("apply", "-f", tmp_path / "compose.yaml", "-n", namespace)
    assert again.returncode == 0, again.stderr
    assert batch.read_namespaced_cron_job("tick", namespace).metadata.resource_version == tick.metadata.resource_version
