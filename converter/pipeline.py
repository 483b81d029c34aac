"""The one way from Compose files to Kubernetes output: load → translate (→ lint) → render.

`convert` is what `kubemap convert`, `report`, `explain`, `apply`, `diff` and the tests run, with
all its settings in one `ConvertOptions`. Nothing here prints, writes a file or exits: the CLI
does that with what `convert` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from converter.lint import lint
from converter.load import LoadOptions, load_project
from converter.model import Bundle, Project
from converter.render import OutputFormat, RenderOptions, newest_kube_version, render, render_stream
from converter.render.render import relative_sources
from converter.translate import TranslateOptions, translate

if TYPE_CHECKING:
    from converter.render.helm import RenderedChart


@dataclass(frozen=True)
class ConvertOptions:
    """Everything that decides a conversion. `output_format` and `kube_version` shape the plain
    manifests (a chart is `Conversion.chart`); `lint` adds what `kubemap lint` says about the
    objects to the findings, as `kubemap convert` shows them (the report, which shows how each
    Compose key maps, leaves them out)."""

    load: LoadOptions
    translate: TranslateOptions = field(default_factory=TranslateOptions)
    output_format: OutputFormat = "yaml"
    kube_version: str | None = None  # default: the newest Kubernetes version kubemap validates against
    lint: bool = True


@dataclass(frozen=True)
class Conversion:
    """One conversion: the loaded project, the Bundle (objects, trace, findings) and how its
    files are rendered."""

    project: Project
    bundle: Bundle
    render_options: RenderOptions

    def files(self) -> dict[str, bytes]:
        """The output folder's files: one per service, _shared, kustomization, kind-config."""
        return render(self.bundle, self.render_options)

    def stream(self) -> bytes:
        """Every object in one YAML stream or JSON List (--stdout)."""
        return render_stream(self.bundle, self.render_options)

    def chart(self, chart_version: str = "0.1.0", app_version: str | None = None) -> RenderedChart:
        """The same objects as a Helm chart (--format helm)."""
        # Imported here: only a chart pays for the chart renderer (~30 ms of every conversion).
        from converter.render.helm import ChartOptions, render_chart

        options = ChartOptions(chart_version=chart_version, app_version=app_version,
                               kube_version=self.render_options.kube_version,
                               project_dir=self.render_options.project_dir)
        return render_chart(self.bundle, options, relative_sources(self.bundle, self.render_options.project_dir))


def convert(options: ConvertOptions) -> Conversion:
    """Load and translate a project and fix how it is rendered. Raises a KubemapError (bad
    input, a name collision, a --strict violation) before anything is rendered."""
    project = load_project(options.load)
    bundle = translate(project, options.translate)
    if options.lint:
        checked = lint([o.body for o in bundle.objects], bundle.shellless_images)
        bundle = bundle.model_copy(update={"findings": [*bundle.findings, *checked]})
    render_options = RenderOptions(format=options.output_format,
                                   kube_version=options.kube_version or newest_kube_version(),
                                   project_dir=project.working_dir)
    return Conversion(project=project, bundle=bundle, render_options=render_options)


__all__ = ["Conversion", "ConvertOptions", "LoadOptions", "TranslateOptions", "convert"]
