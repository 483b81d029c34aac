"""render.helm without Helm: names, the emitter's escaping, the values and their schema, the
mapping Compose key → chart value, findings, determinism, and writing a chart. (tests/helm runs
real Helm on the charts.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from converter.errors import RenderError
from converter.load import LoadOptions
from converter.pipeline import ConvertOptions, convert
from converter.render import RenderOptions, render, write_output
from converter.render.helm import ChartOptions, RenderedChart, chart_findings, compact_values, render_chart
from converter.render.helm.emit import emit_document, escape
from converter.render.helm.naming import camel, chart_name, template_stem, unique_keys
from converter.render.helm.plan import split_image
from converter.render.helm.tree import Document, Expr, When

REPO = Path(__file__).resolve().parents[3]
STACK = REPO / "compose" / "compose.yaml"


def stack_chart(**options: object) -> tuple[RenderedChart, object]:
    conversion = convert(ConvertOptions(load=LoadOptions(files=[str(STACK)], env_files=[str(REPO / "compose" / ".env.example")],
                                                         environ={}, cwd=str(REPO))))
    chart = render_chart(conversion.bundle, ChartOptions(project_dir=str(STACK.parent), **options), ["compose.yaml"])  # type: ignore[arg-type]
    return chart, conversion.bundle


@pytest.fixture(scope="module")
def stack() -> tuple[RenderedChart, object]:
    return stack_chart()


# -- names ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "key"), [
    ("db-password", "dbPassword"), ("my_app.v2", "myAppV2"), ("web", "web"), ("2fa", "_2fa"), ("API", "aPI"),
])
def test_value_keys_are_camel_case_template_identifiers(name: str, key: str) -> None:
    assert camel(name) == key


def test_names_that_would_share_a_value_key_get_numbered_in_name_order() -> None:
    assert unique_keys(["a_b", "a-b", "ab"]) == {"a-b": "aB", "a_b": "aB2", "ab": "ab"}


def test_chart_name_follows_helm_naming_and_bad_names_are_a_clear_error() -> None:
    assert chart_name("My_Project") == "my-project"
    with pytest.raises(RenderError, match="chart name"):
        chart_name("__")


def test_shared_objects_and_services_named_like_chart_files_do_not_collide() -> None:
    assert template_stem(None) == "shared"
    assert template_stem("shared") == "shared-service"
    assert template_stem("notes") == "notes-service"
    assert template_stem("web") == "web"


@pytest.mark.parametrize(("image", "parts"), [
    ("redis:7.0-bookworm", {"repository": "redis", "tag": "7.0-bookworm"}),
    ("localhost:5000/team/app", {"repository": "localhost:5000/team/app", "tag": ""}),
    ("registry:5000/app:1.2@sha256:abc", {"repository": "registry:5000/app", "tag": "1.2", "digest": "sha256:abc"}),
    ("app@sha256:abc", {"repository": "app", "tag": "", "digest": "sha256:abc"}),
    ("app:", {"repository": "app:", "tag": ""}),
])
def test_images_split_into_repository_tag_and_digest(image: str, parts: dict[str, str]) -> None:
    assert split_image(image) == parts


# -- emitter ---------------------------------------------------------------------------------
def test_template_braces_in_plain_text_are_escaped_so_helm_renders_them_back() -> None:
    assert escape("a {{ .B }} {{{c}}}") == 'a {{ "{{" }} .B }} {{ "{{" }}{c}}}'


def test_a_document_mixes_plain_yaml_and_actions() -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},
            "data": {"conf": "x: {{ y }}\n", "n": Expr("$.Values.n | quote"),
                     "opt": When("$.Values.on", "yes")}}
    text = "\n".join(emit_document(Document(body=body, condition="$.Values.enabled")))
    assert text == "\n".join([
        "{{- if $.Values.enabled }}", "---", "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: x",
        "data:", "  conf: |", '    x: {{ "{{" }} y }}', "  n: {{ $.Values.n | quote }}",
        "  {{- if $.Values.on }}", "  opt: 'yes'", "  {{- end }}", "{{- end }}",
    ])


# -- values ----------------------------------------------------------------------------------
def test_defaults_are_the_compose_values_and_secrets_are_not_among_them(stack: tuple[RenderedChart, object]) -> None:
    chart, _ = stack
    values = yaml.safe_load(chart.files["values.yaml"])
    worker = values["services"]["worker"]
    assert worker["replicas"] == 2
    # compose.yaml lets Compose name the built image (agents-worker:latest)
    assert worker["image"] == {"repository": "agents-worker", "tag": "latest", "pullPolicy": "IfNotPresent"}
    assert worker["resources"] == {"limits": {"cpu": "500m", "memory": "128Mi"},
                                   "requests": {"cpu": "100m", "memory": "32Mi"}}
    assert worker["env"]["WORKER_CONCURRENCY"] == "2"
    assert values["services"]["gateway"]["service"]["type"] == "NodePort"
    assert values["services"]["postgres"]["persistence"]["pgData"]["size"] == "1Gi"
    assert values["secrets"]["dbPassword"] == {"existingSecret": "", "data": {}}
    secret_text = (REPO / "compose" / "secrets" / "db_password.txt").read_text().strip()
    assert all(secret_text not in content.decode() for content in chart.files.values())


def test_the_schema_accepts_the_defaults_and_rejects_wrong_types_and_unknown_keys(stack: tuple[RenderedChart, object]) -> None:
    chart, _ = stack
    schema = json.loads(chart.files["values.schema.json"])
    values = yaml.safe_load(chart.files["values.yaml"])
    jsonschema.validate(values, schema)
    values["services"]["worker"]["replicas"] = "two"
    with pytest.raises(jsonschema.ValidationError, match="'two' is not of type 'integer'"):
        jsonschema.validate(values, schema)
    values["services"]["worker"]["replicas"] = 2
    values["services"]["workr"] = {"replicas": 3}
    with pytest.raises(jsonschema.ValidationError, match="workr"):
        jsonschema.validate(values, schema)


def test_every_value_is_in_the_readme(stack: tuple[RenderedChart, object]) -> None:
    chart, _ = stack
    readme = chart.files["README.md"].decode()
    for value in chart.plan.values.entries.values():
        assert f"| `{value.dotted}` |" in readme
    assert "--set-file secrets.dbPassword.data.db_password=./secrets/db_password.txt" in readme


# -- which value each Compose key became -----------------------------------------------------
@pytest.mark.parametrize(("source", "values"), [
    ("services.worker.deploy.replicas", ["services.worker.replicas"]),
    ("services.worker.build", ["services.worker.image.{repository,tag,pullPolicy}"]),
    ("services.worker.deploy.resources.limits.cpus", ["services.worker.resources"]),
    ("services.gateway.env_file.LOG_LEVEL", ["services.gateway.env.LOG_LEVEL"]),
    ("services.gateway.ports[0]", ["services.gateway.service.ports"]),
    ("services.postgres.volumes[0]", ["services.postgres.persistence.pgData.{size,storageClass,accessModes}"]),
    ("services.chat.healthcheck.test", ["services.chat.probes.enabled"]),
    ("secrets.db_password", ["secrets.dbPassword.existingSecret", "secrets.dbPassword.data.db_password"]),
])
def test_each_compose_key_names_the_value_it_became(stack: tuple[RenderedChart, object], source: str,
                                                    values: list[str]) -> None:
    chart, _ = stack
    assert compact_values(chart.mapping.by_source[source]) == values


def test_secret_findings_say_the_value_is_not_in_the_chart(stack: tuple[RenderedChart, object]) -> None:
    chart, bundle = stack
    findings = chart_findings(list(bundle.findings), chart)  # type: ignore[attr-defined]
    assert not [f for f in findings if f.code == "KM-W-SECRET-FILE"]
    notes = {f.source: f for f in findings if f.code == "KM-I-CHART-SECRET"}
    assert sorted(notes) == ["secrets.db_password", "secrets.llm_api_key"]
    assert "--set-file secrets.dbPassword.data.KEY=FILE" in notes["secrets.db_password"].hint


# -- options, determinism, writing ----------------------------------------------------------
def test_chart_and_app_version_go_to_chart_yaml_and_bad_ones_are_refused() -> None:
    chart, _ = stack_chart(chart_version="1.2.3", app_version="2026.12")
    meta = yaml.safe_load(chart.files["Chart.yaml"])
    assert (meta["apiVersion"], meta["name"], meta["version"], meta["appVersion"]) == ("v2", "agents", "1.2.3", "2026.12")
    with pytest.raises(RenderError, match="SemVer"):
        stack_chart(chart_version="1.0")
    with pytest.raises(RenderError, match="label value"):
        stack_chart(app_version="1.0 beta")


def test_same_input_same_bytes(stack: tuple[RenderedChart, object]) -> None:
    again, _ = stack_chart()
    assert again.files == stack[0].files


def test_writing_a_chart_replaces_its_own_files_only(tmp_path: Path, stack: tuple[RenderedChart, object]) -> None:
    chart, bundle = stack
    out = tmp_path / "chart"
    write_output(chart.files, out, chart=True)
    (out / "templates" / "old-service.yaml").write_text("# Generated by kubemap 0 from x — do not edit; "
                                                        "re-run kubemap convert --format helm\n")
    (out / "templates" / "mine.yaml").write_text("kind: ConfigMap\n")
    plain = render(bundle, RenderOptions(project_dir=str(STACK.parent)))  # type: ignore[attr-defined]
    write_output(plain, out)  # manifests into the chart's folder: the chart's files are not "stale" to them
    result = write_output(chart.files, out, chart=True)
    assert result.removed == ["templates/old-service.yaml"]
    assert (out / "templates" / "mine.yaml").is_file() and (out / "gateway.yaml").is_file()
    (out / "values.yaml").unlink()
    (out / "values.yaml").write_text("mine: true\n")
    with pytest.raises(RenderError, match="was not written by kubemap"):
        write_output(chart.files, out, chart=True)


# -- the CLI ---------------------------------------------------------------------------------
def kubemap(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    return subprocess.run([sys.executable, "-m", "converter", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


SMALL = """\
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    environment: {MODE: prod, API_TOKEN: abc}
"""


def test_convert_format_helm_writes_a_chart_and_says_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(SMALL)
    result = kubemap(tmp_path, "convert", "--format", "helm")
    assert result.returncode == 0, result.stderr
    assert sorted(p.relative_to(tmp_path / "chart").as_posix() for p in (tmp_path / "chart").rglob("*") if p.is_file()) == [
        "Chart.yaml", "README.md", "templates/NOTES.txt", "templates/_helpers.tpl", "templates/web.yaml",
        "values.schema.json", "values.yaml"]
    lines = result.stderr.splitlines()
    assert any(line.startswith("info KM-I-CHART-SECRET services.web.environment.API_TOKEN: Secret web-env is not in the chart")
               for line in lines), result.stderr
    assert not any("KM-W-SECRET-ENV" in line for line in lines)
    assert lines[-1].startswith("wrote chart ") and ": helm install " in lines[-1]
    assert "abc" not in "".join(p.read_text() for p in (tmp_path / "chart").rglob("*") if p.is_file())


@pytest.mark.parametrize(("args", "message"), [
    (["--stdout"], "--stdout cannot print a Helm chart"),
    (["--chart-version", "1.0"], "is not a SemVer 2 version"),
])
def test_bad_chart_flags_fail_before_anything_is_done(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "compose.yaml").write_text(SMALL)
    result = kubemap(tmp_path, "convert", "--format", "helm", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "KM-" not in result.stderr  # no findings printed: nothing was converted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compose.yaml"]


def test_report_and_explain_show_the_chart_value_of_each_key(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(SMALL)
    report = kubemap(tmp_path, "report", "--chart", "--format", "markdown")
    assert report.returncode == 0, report.stderr
    assert "| Compose | Kubernetes | chart value | status | why | rule |" in report.stdout
    assert "`services.web.service.ports`" in report.stdout and "`services.web.env.MODE`" in report.stdout
    assert "Secret values are never in values.yaml" in report.stdout
    plain = kubemap(tmp_path, "report", "--format", "markdown")
    assert "chart value" not in plain.stdout
    explain = kubemap(tmp_path, "explain", "web", "image", "--chart")
    assert explain.returncode == 0, explain.stderr
    assert "services.web.image.{repository,tag}" in explain.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    html = kubemap(tmp_path, "report", "--chart", "--format", "html")
    assert "<th>chart value</th>" in html.stdout and "<code>services.web.service.ports</code>" in html.stdout


def test_two_runs_in_fresh_processes_give_the_same_chart_bytes(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(SMALL + "  db:\n    image: postgres:16\n    volumes: [data:/var/lib/postgresql/data]\n"
                                           "volumes:\n  data: {}\n")
    charts = {}
    for seed in ("1", "2"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
        env["PYTHONHASHSEED"] = seed
        result = subprocess.run([sys.executable, "-m", "converter", "convert", "--format", "helm", "-o", f"c{seed}"],
                                cwd=tmp_path, env=env, capture_output=True, timeout=120)
        assert result.returncode == 0, result.stderr
        charts[seed] = {p.relative_to(tmp_path / f"c{seed}"): p.read_bytes()
                        for p in (tmp_path / f"c{seed}").rglob("*") if p.is_file()}
    assert charts["1"] == charts["2"]
