"""A CronJob (x-kubemap.schedule, R-CRON-01) in a Helm chart: a workload with its image,
resources and scheduling as values like any other, and never a hook (hooks are for one-shot
Jobs that run at install). tests/helm renders it with real Helm."""

from __future__ import annotations

from pathlib import Path

from converter.load import LoadOptions, load_project
from converter.render.helm import ChartOptions, render_chart
from converter.translate import TranslateOptions, translate

COMPOSE = """
services:
  tick:
    image: busybox:1.36
    restart: "no"
    command: ["sh", "-c", "date"]
    x-kubemap: {schedule: "*/5 * * * *", concurrency_policy: Forbid}
"""


def test_a_cronjob_is_a_workload_with_values_and_not_a_hook(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    project = load_project(LoadOptions(files=[str(tmp_path / "compose.yaml")], environ={}, cwd=str(tmp_path)))
    chart = render_chart(translate(project, TranslateOptions()), ChartOptions(project_dir=str(tmp_path)),
                         ["compose.yaml"])
    template = chart.files["templates/tick.yaml"].decode()
    assert "kind: CronJob" in template
    assert "helm.sh/hook" not in template
    assert '$.Values.services.tick.image' in template  # the image is a value, inside the jobTemplate
    assert template.index("jobTemplate:") < template.index("$.Values.services.tick.image")
    values = chart.files["values.yaml"].decode()
    assert "repository: busybox" in values and "1.36" in values
