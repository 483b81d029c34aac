"""Text from the Compose project reaches Helm's template engine only as data: Go/Jinja template
braces in a config file, an environment value or a command come out of `helm template` exactly
as `kubemap convert` writes them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helm.compare import differences, documents, manifest_dir_objects
from tests.helm.helm import Helm

COMPOSE = """\
name: braces
services:
  web:
    image: nginx:1.27
    command: ["sh", "-c", "echo '{{ .Release.Name }}' {{- end }} }}"]
    environment:
      GREETING: "Hello {{ name }} {{{ raw }}} {{/* c */}}"
    configs:
      - source: tmpl
        target: /etc/app/page.tmpl
    volumes:
      - ./alerts.yml:/etc/alerts.yml:ro
configs:
  tmpl:
    content: |
      {{ define "x" }}{{ .Values.a | quote }}{{ end }}
      {{- if .Chart }}<no value>{{ end }}
"""
ALERTS = 'summary: "{{ $labels.instance }} down"\ndescription: "{{ printf \\"%.2f\\" $value }}"\n'


def test_template_braces_in_project_text_render_back_unchanged(helm: Helm, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "alerts.yml").write_text(ALERTS)
    for args in (["-o", "k8s"], ["--format", "helm", "-o", "chart"]):
        result = subprocess.run([sys.executable, "-m", "converter", "convert", *args], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    rendered = documents(helm.ok("template", "braces", tmp_path / "chart", "--namespace", "braces"))
    plain = manifest_dir_objects(tmp_path / "k8s")
    # "<no value>" is the one text Helm itself removes from whatever it renders (Go's marker for a
    # missing value): a known limit of any chart, documented in docs/helm.md
    config = next(b for b in plain if b["kind"] == "ConfigMap" and b["metadata"]["name"] == "tmpl")
    assert "<no value>" in str(config["data"])
    for body in plain:
        if body is config:
            body["data"] = {k: v.replace("<no value>", "") for k, v in body["data"].items()}
    assert differences(rendered, [b for b in plain if b["kind"] != "Secret"], "braces") == []
    alerts = next(b for b in rendered if b["kind"] == "ConfigMap" and "alerts.yml" in b.get("data", {}))
    assert alerts["data"]["alerts.yml"] == ALERTS
