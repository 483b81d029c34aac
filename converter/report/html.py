"""The report as one self-contained HTML page: no network, works offline, readable on a phone,
dark and light, with a list of services and hover links between the two sides."""

from __future__ import annotations

from html import escape

from converter.report.data import ProjectReport, ServiceReport
from converter.report.diagram import diagram_svg
from converter.report.markdown import STATUS_LABEL

CSS = """
:root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--hl:#fff3b0;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--hl:#5a4a00;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--code:#161b22}}
:root[data-theme=light]{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--hl:#fff3b0;--code:#f6f8fa}
:root[data-theme=dark]{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--hl:#5a4a00;--code:#161b22}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{padding:12px 16px;border-bottom:1px solid var(--line);display:flex;gap:12px;align-items:center;flex-wrap:wrap}
header h1{font-size:18px;margin:0;flex:1}
button{font:inherit;background:var(--code);color:var(--fg);border:1px solid var(--line);border-radius:6px;padding:4px 10px;cursor:pointer}
.layout{display:grid;grid-template-columns:220px 1fr}
nav{border-right:1px solid var(--line);padding:12px;position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto}
nav a{display:block;color:var(--fg);text-decoration:none;padding:3px 6px;border-radius:4px}nav a:hover{background:var(--code)}
main{padding:12px 16px;min-width:0}
section{margin-bottom:32px}h2{font-size:17px;border-bottom:1px solid var(--line);padding-bottom:4px}
.sides{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:12px}.sides>div{min-width:0}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:8px;margin:0 0 8px;overflow:auto;font:12.5px/1.4 ui-monospace,monospace}
pre span{display:block;white-space:pre;border-radius:3px}
[data-k]{cursor:pointer}.hl{background:var(--hl)!important}
details summary{cursor:pointer;font-weight:600;margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:13.5px}td,th{border:1px solid var(--line);padding:4px 6px;vertical-align:top;text-align:left}
td code{font-size:12.5px;word-break:break-word}
.mapped{color:var(--ok)}.approximated{color:var(--warn)}.unsupported,.untraced{color:var(--bad)}
.muted{color:var(--muted)}
#picture{padding:0 16px;margin:12px 0 20px}.diagram{overflow:auto;border:1px solid var(--line);border-radius:6px}.diagram svg{display:block}
.diagram.fit svg{max-width:100%;height:auto}
:root[data-theme=dark] .km-diagram{--km-bg:#0d1117;--km-fg:#e6edf3;--km-text:#c9d1d9;--km-muted:#8d96a0;--km-box:#161b22;--km-box-line:#8d96a0;--km-frame:#11161d;--km-k8s-frame:#0f1a2b;--km-frame-line:#30363d;--km-edge:#8d96a0;--km-chip:#21262d;--km-chip-line:#30363d;--km-tab:#12261e;--km-k8s-tab:#0c2d4a;--km-hl:#3b2e00}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]) .km-diagram{--km-bg:#0d1117;--km-fg:#e6edf3;--km-text:#c9d1d9;--km-muted:#8d96a0;--km-box:#161b22;--km-box-line:#8d96a0;--km-frame:#11161d;--km-k8s-frame:#0f1a2b;--km-frame-line:#30363d;--km-edge:#8d96a0;--km-chip:#21262d;--km-chip-line:#30363d;--km-tab:#12261e;--km-k8s-tab:#0c2d4a;--km-hl:#3b2e00}}
@media (max-width:800px){.layout{grid-template-columns:1fr}nav{position:static;max-height:none;border-right:0;border-bottom:1px solid var(--line)}.sides{grid-template-columns:1fr}}
"""

JS = """
(function(){
  var root=document.documentElement, key='kubemap-theme';
  try{var saved=localStorage.getItem(key); if(saved) root.dataset.theme=saved;}catch(e){}
  document.getElementById('theme').addEventListener('click',function(){
    var dark=root.dataset.theme?root.dataset.theme==='dark':matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme=dark?'light':'dark'; try{localStorage.setItem(key,root.dataset.theme);}catch(e){}
  });
  function mark(el,on){
    var section=el.closest('section'); if(!section) return;
    var keys=el.getAttribute('data-k').split(' ');
    section.querySelectorAll('[data-k]').forEach(function(other){
      var mine=other.getAttribute('data-k').split(' ');
      var hit=keys.some(function(k){return mine.indexOf(k)>=0;});
      other.classList.toggle('hl',on&&hit);
    });
  }
  document.addEventListener('mouseover',function(e){var el=e.target.closest('[data-k]'); if(el) mark(el,true);});
  document.addEventListener('mouseout',function(e){var el=e.target.closest('[data-k]'); if(el) mark(el,false);});
  document.addEventListener('click',function(e){var el=e.target.closest('[data-k]'); if(el) mark(el,true);});
  // The picture: a box lights up its counterpart in the other panel; its link scrolls to the rows.
  function pair(node,on){
    var name=node.getAttribute('data-service');
    document.querySelectorAll('.km-node').forEach(function(other){
      other.classList.toggle('km-hl',on&&other.getAttribute('data-service')===name);
    });
  }
  document.addEventListener('mouseover',function(e){var n=e.target.closest&&e.target.closest('.km-node'); if(n) pair(n,true);});
  document.addEventListener('mouseout',function(e){var n=e.target.closest&&e.target.closest('.km-node'); if(n) pair(n,false);});
  document.addEventListener('focusin',function(e){var n=e.target.closest&&e.target.closest('.km-node'); if(n) pair(n,true);});
  // Scaled to the page's width by default; when that makes the text too small to read, show it
  // at its actual size (scrollable) instead. The button switches between the two.
  var fit=document.getElementById('diagram-fit'), box=document.querySelector('.diagram');
  if(fit&&box){
    var svg=box.querySelector('svg');
    if(svg&&box.clientWidth/svg.width.baseVal.value<0.6) box.classList.remove('fit');
    fit.addEventListener('click',function(){box.classList.toggle('fit');});
  }
})();
"""


def _inline_code(text: str) -> str:
    """Escape text and turn `backticked` parts into <code>."""
    parts = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _anchor(name: str) -> str:
    return "svc-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in name)


def _service_html(service: ServiceReport, chart: bool = False) -> str:
    compose_keys: dict[int, set[str]] = {}
    object_keys: dict[tuple[int, int], set[str]] = {}
    for row in service.rows:
        for i in range(*row.compose_lines):
            compose_keys.setdefault(i, set()).add(row.key)
        for target in row.targets:
            if target.object_index is not None and target.line is not None:
                object_keys.setdefault((target.object_index, target.line), set()).add(row.key)

    def line(text: str, keys: set[str] | None) -> str:
        attr = f' data-k="{escape(" ".join(sorted(keys)))}"' if keys else ""
        return f"<span{attr}>{escape(text) or ' '}</span>"

    left = "".join(line(l.text, compose_keys.get(i)) for i, l in enumerate(service.compose))
    right = []
    for index, view in enumerate(service.objects):
        body = "".join(line(l.text, object_keys.get((index, i))) for i, l in enumerate(view.lines))
        right.append(f"<details open><summary>{escape(view.ref)}</summary><pre>{body}</pre></details>")
    rows = []
    for row in service.rows:
        targets = "<br>".join(f"<code>{escape((t.ref + ' ' + t.field_path).strip())}</code>" for t in row.targets) or "<span class=muted>—</span>"
        why = escape("; ".join(row.reasons))
        values = ("<td>" + ("<br>".join(f"<code>{escape(v)}</code>" for v in row.values)
                            or "<span class=muted>—</span>") + "</td>") if chart else ""
        rows.append(
            f'<tr data-k="{escape(row.key)}"><td><code>{escape(row.key)}</code></td><td>{targets}</td>{values}'
            f'<td class="{row.status}">{escape(STATUS_LABEL[row.status])}</td><td>{why}</td>'
            f'<td class=muted>{escape(", ".join(row.rules))}</td></tr>'
        )
    findings = "".join(
        f"<li><b>{escape(f.code)}</b> <code>{escape(f.source)}</code>: {escape(f.message)}"
        + (f" <span class=muted>— {escape(f.hint)}</span>" if f.hint else "") + "</li>"
        for f in service.findings
    )
    return (
        f'<section id="{_anchor(service.name)}"><h2>service {escape(service.name)}</h2>'
        f'<div class="sides"><div><div class=muted>Compose</div><pre>{left}</pre></div>'
        f'<div><div class=muted>Kubernetes</div>{"".join(right) or "<p class=muted>no objects</p>"}</div></div>'
        f"<table><tr><th>Compose key</th><th>Kubernetes</th>{'<th>chart value</th>' if chart else ''}"
        f"<th>status</th><th>why</th><th>rule</th></tr>{''.join(rows)}</table>"
        + (f"<ul>{findings}</ul>" if findings else "")
        + "</section>"
    )


def _diagram_html(report: ProjectReport) -> str:
    if report.graph is None or not report.graph.nodes:
        return ""
    svg = diagram_svg(report.graph, href=lambda service: "#" + _anchor(service))
    return ('<section id=picture><h2>picture <button id=diagram-fit type=button>actual size / fit to width</button></h2>'
            '<p class=muted>Each Compose service (left) and what it became (right), in the same place. '
            "Arrows point to what a service waits for; click a box for its rows below.</p>"
            f"<div class=\"diagram fit\">{svg}</div></section>")


def render_html(report: ProjectReport) -> str:
    counts = report.status_counts
    nav = "".join(f'<a href="#{_anchor(s.name)}">{escape(s.name)}</a>' for s in report.services)
    concepts = "".join(
        f"<tr><td>{_inline_code(a)}</td><td>{_inline_code(b)}</td><td>{_inline_code(c)}</td></tr>"
        for a, b, c in report.concepts
    )
    summary = (
        f"<p><b>{len(report.services)}</b> services; objects: "
        + escape(", ".join(f"{k} ×{n}" for k, n in report.objects_by_kind.items()))
        + f'; <span class=mapped>{counts.get("mapped", 0)} mapped</span>, '
        f'<span class=approximated>{counts.get("approximated", 0)} approximated</span>, '
        f'<span class=unsupported>{counts.get("unsupported", 0)} not mapped</span>; '
        f"{len(report.findings)} findings.</p>"
        + (f"<p class=muted>Not converted (disabled by profiles): {escape(', '.join(report.disabled_services))}</p>"
           if report.disabled_services else "")
        + (f"<p>Chart <code>{escape(report.chart)}</code>: the chart value column names the value each key "
           "became; Secret values are never in values.yaml (give them at install time or name an existing "
           "Secret).</p>" if report.chart else "")
    )
    body = "".join(_service_html(s, bool(report.chart)) for s in report.services)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>kubemap report: {escape(report.project)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>kubemap report: {escape(report.project)}</h1>'
        f'<span class=muted>{escape(", ".join(report.source_files))}</span>'
        '<button id=theme type=button>dark / light</button></header>'
        f"{_diagram_html(report)}"
        f'<div class=layout><nav><a href="#picture"><b>picture</b></a><a href="#summary"><b>summary</b></a>{nav}</nav><main>'
        f'<section id=summary><h2>summary</h2>{summary}'
        f"<table><tr><th>Docker / Compose</th><th>Kubernetes</th><th>in this project</th></tr>{concepts}</table></section>"
        f"{body}</main></div><script>{JS}</script></body></html>\n"
    )
