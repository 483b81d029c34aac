"""render.helm: Bundle → a Helm chart (`kubemap convert --format helm`).

Public API:
- render_chart(bundle, ChartOptions, sources) → RenderedChart: the chart's files (relative path →
  bytes), the values it declares and which value each Compose key became (for report/explain).
- map_values / ValueMapping: that mapping on its own.
"""

from converter.render.helm.chart import COMMAND, ChartOptions, RenderedChart, chart_findings, check_options, render_chart
from converter.render.helm.mapping import ValueMapping, compact_values, map_values

__all__ = ["COMMAND", "ChartOptions", "RenderedChart", "ValueMapping", "chart_findings", "check_options", "compact_values", "map_values",
           "render_chart"]
