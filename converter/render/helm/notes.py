"""templates/NOTES.txt: what `helm install` prints — how to reach the published services, which
Secrets the chart did not create, how the one-shot services ran."""

from __future__ import annotations

from converter.model import HostPort
from converter.render.helm.plan import ChartPlan


def notes_txt(chart: str, plan: ChartPlan, host_ports: list[HostPort], jobs: list[str], header: str,
              *, secret_files: dict[str, list[tuple[str, str]]]) -> str:
    """`jobs`: the Jobs (hooks); the --wait warning is only given when a service waits for one.
    `secret_files`: Secret name → (key, the Compose file with its content) where known."""
    ns = "{{ $ns }}"
    lines = [
        f"{{{{- /* {header} */}}}}",
        f'{{{{- $ns := include "{chart}.namespace" . }}}}',
        "Release {{ .Release.Name }} (chart {{ .Chart.Name }} {{ .Chart.Version }}) is in namespace {{ $ns }}.",
        "",
        f"  kubectl --namespace {ns} get pods",
    ]
    by_service = {sv.main_service: sv for sv in plan.services.values() if sv.main_service}
    published = sorted({(p.service, p.host_port) for p in host_ports})
    if published:
        lines += ["", "Ports Compose publishes, and how to reach them:"]
    for service, host_port in published:
        sv = by_service.get(service)
        if sv is None or sv.service_type is None:
            lines.append(f"  {service} (Compose host port {host_port}): kubectl --namespace {ns} get service {service}")
            continue
        kind = sv.service_type.expr
        lines += [
            f'{{{{- if eq {kind} "NodePort" }}}}',
            f"  {service}: http://localhost:{host_port} on a kind cluster made from kubemap's kind-config.yaml "
            f"(it forwards host port {host_port} to the node port); elsewhere: kubectl --namespace {ns} get service {service}",
            f'{{{{- else if eq {kind} "LoadBalancer" }}}}',
            f"  {service}: the EXTERNAL-IP of: kubectl --namespace {ns} get service {service}",
            "{{- else }}",
            f"  {service}: kubectl --namespace {ns} port-forward service/{service} {host_port}:{host_port}",
            "{{- end }}",
        ]
    for sv in sorted(plan.services.values(), key=lambda s: s.key):
        if sv.ingress:
            lines += [
                f"{{{{- if {sv.ingress['enabled'].expr} }}}}",
                f"{{{{- range {sv.ingress['hosts'].expr} }}}}{{{{ $host := .host | default \"*\" }}}}",
                f"{{{{- range .paths }}}}",
                f"  {sv.main_service}: ingress http://{{{{ $host }}}}{{{{ .path }}}}",
                "{{- end }}{{- end }}{{- end }}",
            ]
    if plan.secrets:
        lines += ["{{- $missing := list }}"]
        for secret in plan.secrets.values():
            path_of = dict(secret_files.get(secret.name, []))
            files = " ".join(f"--from-file={key}={path_of.get(key, 'FILE')}" for key in secret.keys)
            set_files = " ".join(f"--set-file {secret.data.dotted}.{key}={path_of.get(key, 'FILE')}" for key in secret.keys)
            message = f"{secret.name}: {set_files}, or kubectl --namespace %s create secret generic {secret.name} {files}"
            lines += [
                f"{{{{- if not (or {secret.existing.expr} {secret.data.expr}) }}}}",
                f'{{{{- $missing = append $missing (printf "{message}" $ns) }}}}',
                "{{- end }}",
            ]
        lines += [
            "{{- if $missing }}",
            "",
            "Secrets this chart did not create (their Compose values are not in the chart); pods that",
            "use them wait until they exist:",
            "{{- range $missing }}",
            "  {{ . }}",
            "{{- end }}",
            "{{- end }}",
        ]
    if jobs:
        lines += [
            "",
            "One-shot Compose services (" + ", ".join(jobs) + ") ran as Jobs after the install or upgrade",
            "(Helm hooks: helm waited for them; they run again on every upgrade).",
        ]
    if plan.job_dependants:
        lines += [
            "Do not install or upgrade with --wait: " + " and ".join(plan.job_dependants)
            + (" waits" if len(plan.job_dependants) == 1 else " wait") + " for those Jobs,",
            "which Helm only starts once --wait is satisfied.",
        ]
    return "\n".join(lines) + "\n"
