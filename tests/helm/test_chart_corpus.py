"""Every project the corpus tests convert, as a chart under real Helm: `helm lint --strict` is
clean, and `helm template` with the default values renders the objects `kubemap convert` writes
(Helm's own labels and annotations and the namespace aside; without the Secrets, whose values
the chart never holds), each of them valid for kubernetes-validate's strict schemas.

Projects: the shared corpus (../shared/corpus/INDEX.json), its realworld/ setups as
realworld/INDEX.json describes them, and tests/golden. A project that does not load fails here
exactly as `kubemap convert` fails (with a KubemapError); tests/corpus owns that verdict."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from converter.errors import KubemapError
from converter.render import RenderOptions, newest_kube_version, render, validate_object
from converter.render.helm import ChartOptions, render_chart
from converter.render.render import relative_sources
from converter.render.write import write_output
from tests.helm.compare import differences, documents
from tests.helm.corpus import CORPUS, load, projects
from tests.helm.helm import Helm

PROJECTS = projects()
RELEASE_NAMESPACE = "corpus"


@dataclass
class Converted:
    chart_dir: Path | None  # None: the project does not convert (error) or is a fragment that did not load
    plain: list[dict]
    namespace: str
    error: str = ""
    lint: str = ""


@pytest.fixture(scope="module")
def converted(helm: Helm, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Converted]:
    """Every project converted both ways, and one `helm lint --strict` over all the charts."""
    assert (CORPUS / "INDEX.json").is_file(), f"the shared corpus is missing at {CORPUS}"
    base = tmp_path_factory.mktemp("corpus-charts")
    results: dict[str, Converted] = {}
    for number, project in enumerate(PROJECTS):
        with tempfile.TemporaryDirectory() as scratch:
            try:
                loaded = load(project, Path(scratch))
            except KubemapError as error:
                results[project.name] = Converted(None, [], "", error=str(error))
                continue
            if loaded is None:
                results[project.name] = Converted(None, [], "", error="a fragment that does not load on its own")
                continue
            bundle, project_dir = loaded
            files = render(bundle, RenderOptions(project_dir=project_dir))
            plain = [d for name, content in files.items() if name not in ("kustomization.yaml", "kind-config.yaml")
                     for d in documents(content.decode())]
            chart = render_chart(bundle, ChartOptions(project_dir=project_dir),
                                 relative_sources(bundle, project_dir))
        chart_dir = base / f"{number:03d}" / chart.name
        write_output(chart.files, chart_dir, chart=True)
        results[project.name] = Converted(chart_dir, plain, project.namespace or RELEASE_NAMESPACE)
    charts = [c.chart_dir for c in results.values() if c.chart_dir is not None]
    output = helm.run("lint", "--strict", *charts, timeout=1800).stdout
    sections = re.split(r"^==> Linting ", output, flags=re.MULTILINE)[1:]
    by_dir = {section.split("\n", 1)[0].strip(): section for section in sections}
    for result in results.values():
        if result.chart_dir is not None:
            result.lint = by_dir.get(str(result.chart_dir), "(helm lint printed nothing for this chart)")
    return results


@pytest.mark.parametrize("name", [p.name for p in PROJECTS])
def test_chart_lints_and_templates_to_what_kubemap_convert_writes(name: str, helm: Helm,
                                                                  converted: dict[str, Converted]) -> None:
    result = converted[name]
    if result.chart_dir is None:
        assert result.error, name  # no chart because there is nothing converted: a clear error, no crash
        return
    assert "[WARNING]" not in result.lint and "[ERROR]" not in result.lint and "Error" not in result.lint, result.lint
    rendered = documents(helm.ok("template", "release", result.chart_dir, "--namespace", RELEASE_NAMESPACE))
    version = newest_kube_version()
    for body in rendered:
        validate_object(body, version)  # kubernetes-validate's schemas, strict
    # Compose secrets' values are not in the chart; the Namespace of --namespace is Helm's job.
    expected = [b for b in result.plain if b["kind"] not in ("Secret", "Namespace")]
    assert differences(rendered, expected, result.namespace) == []


def test_most_projects_convert(converted: dict[str, Converted]) -> None:
    """A summary that fails if the chart tests stop covering the corpus (for instance when the
    corpus is missing or loading breaks wholesale)."""
    charted = [n for n, c in converted.items() if c.chart_dir is not None]
    assert len(charted) >= 0.9 * len(converted), sorted(n for n in converted if n not in charted)
