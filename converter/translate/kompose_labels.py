"""Kompose's `kompose.*` labels, read as the `x-kubemap` settings they mean (R-KOMPOSE-01).

A label never has an effect of its own: `label_settings` turns a service's labels into
x-kubemap settings, which sit *under* the service's own `x-kubemap` (`ServicePlan.x`), so the
same rules run for both and an `x-kubemap` key wins over a label that says the same thing. The
table `LABELS` is the one list of what is supported; `UNSUPPORTED` says why the others are not.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from converter.errors import TranslateError
from converter.model import Service
from converter.translate.context import Context, ServicePlan, src
from converter.translate.naming import dns_label
from converter.translate.rules import rule

PREFIX = "kompose."

# label → why kubemap does not read it (and what to use instead)
UNSUPPORTED: dict[str, str] = {
    "kompose.service.group": "grouping services into one pod is Compose's network_mode: service:NAME "
                             "(kubemap merges such a service into NAME's pod as a sidecar)",
    "kompose.service.external-traffic-policy": "not an x-kubemap setting yet; patch the Service's "
                                               "externalTrafficPolicy with kustomize",
    "kompose.volume.subpath": "use the volume's own subpath (volumes: [{type: volume, volume: {subpath: …}}])",
    "kompose.ephemeral-storage.request": "not an x-kubemap setting yet; Compose has no ephemeral storage",
    "kompose.ephemeral-storage.limit": "not an x-kubemap setting yet; Compose has no ephemeral storage",
    "kompose.controller.port.expose": "Kompose-internal",
}
VOLUME_TYPES_KEPT = {"persistentvolumeclaim", "configmap"}


@dataclass
class LabelSettings:
    """What a service's Kompose labels say, as x-kubemap: the settings, which label set each
    top-level key (for the trace and for conflicts), and the labels that are not read."""

    settings: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)  # x-kubemap key → labels
    paths: dict[str, str] = field(default_factory=dict)  # x-kubemap path (a.b.c and its parents) → first label
    described: dict[str, str] = field(default_factory=dict)  # label → "x-kubemap.key: value"
    unsupported: dict[str, str] = field(default_factory=dict)  # label → why
    noted: dict[str, str] = field(default_factory=dict)  # label → why it changes nothing

    def put(self, label: str, path: list[str], value: Any) -> None:
        node = self.settings
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
        self.sources.setdefault(path[0], []).append(label)
        for depth in range(1, len(path) + 1):
            self.paths.setdefault(".".join(path[:depth]), label)
        self.described[label] = f"x-kubemap.{'.'.join(path)}: {value!r}"


Handler = Callable[[LabelSettings, Service, str, str], None]


def _text(value: str) -> str:
    return str(value).strip()


def _int(label: str, value: str, service: Service) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise TranslateError(f"label {label}: {value!r} is not a whole number",
                             key_path=f"services.{service.name}.labels.{label}") from None


def _service_type(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    out.put(label, ["service_type"], _text(value))


def _node_port(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    published = sorted({int(p.published) for p in svc.ports if p.published and str(p.published).isdigit()})
    if len(published) != 1:
        out.unsupported[label] = (f"a fixed nodePort needs exactly one published port (the service publishes "
                                  f"{len(published)}); use x-kubemap.node_ports: {{HOST_PORT: NODE_PORT}}")
        return
    out.put(label, ["node_ports", str(published[0])], _int(label, value, svc))


def _expose(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    entries: list[dict[str, Any]] = []
    hosts = [] if _text(value).lower() == "true" else [h.strip() for h in _text(value).split(",") if h.strip()]
    for host in hosts or [""]:
        name, _, path = host.partition("/")
        entry: dict[str, Any] = {}
        if name:
            entry["host"] = name
        if path:
            entry["path"] = "/" + path
        entries.append(entry)
    tls = svc.labels.get("kompose.service.expose.tls-secret")
    ingress_class = svc.labels.get("kompose.service.expose.ingress-class-name")
    for entry in entries:
        if tls and entry.get("host"):
            entry["tls_secret"] = _text(tls)
        if ingress_class:
            entry["class"] = _text(ingress_class)
    out.put(label, ["ingress"], entries)
    for extra in ("kompose.service.expose.tls-secret", "kompose.service.expose.ingress-class-name"):
        if extra in svc.labels:
            out.sources["ingress"].append(extra)
            out.described[extra] = f"x-kubemap.ingress[].{'tls_secret' if 'tls' in extra else 'class'}"


def _expose_part(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    if "kompose.service.expose" not in svc.labels:
        out.unsupported[label] = "needs kompose.service.expose (the Ingress it belongs to)"
    # else: read by _expose


def _controller(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    kind = _text(value).lower()
    if kind == "replicationcontroller":
        out.unsupported[label] = "ReplicationController is superseded by Deployment; kubemap makes a Deployment"
        return
    out.put(label, ["workload"], kind)


def _pull_policy(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    out.put(label, ["image_pull_policy"], _text(value))


def _pull_secret(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    out.put(label, ["image_pull_secrets"], [s.strip() for s in _text(value).split(",") if s.strip()])


def _service_account(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    out.put(label, ["service_account"], _text(value))


def _fs_group(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    out.put(label, ["fs_group"], _int(label, value, svc))


def _named_volumes(svc: Service) -> list[str]:
    return sorted({m.source for m in svc.volumes if m.type == "volume" and m.source})


def _volume_setting(key: str) -> Handler:
    def handler(out: LabelSettings, svc: Service, label: str, value: str) -> None:
        volumes = _named_volumes(svc)
        if not volumes:
            out.noted[label] = ("the service has no named volume: Kompose gives its bind mounts claims, kubemap "
                                "mounts a bind by what it is (R-VOL-*), so there is no claim to set")
            return
        setting: Any = {"io.kompose.service": _text(value)} if key == "selector" else _text(value)
        for volume in volumes:
            out.put(label, ["volumes", volume, key], setting)
    return handler


def _volume_type(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    if _text(value).lower() in VOLUME_TYPES_KEPT:
        out.noted[label] = ("kubemap already chooses each volume by what it is (named volume → claim, project "
                            "file or read-only directory → ConfigMap)")
        return
    out.unsupported[label] = (f"{value!r} for every volume of the service is not an x-kubemap setting: a named "
                              "volume is a claim, tmpfs and anonymous volumes are emptyDirs, outside binds hostPath")


def _hpa(key: str) -> Handler:
    def handler(out: LabelSettings, svc: Service, label: str, value: str) -> None:
        out.put(label, ["hpa", key], _int(label, value, svc))
    return handler


def _probe(label: str, value: str, svc: Service) -> tuple[list[str], Any]:
    """`kompose.service.healthcheck.<probe>.<field>` → (x-kubemap path, value)."""
    probe, _, name = label.removeprefix("kompose.service.healthcheck.").partition(".")
    if name == "test":
        return ["probes", probe, "test"], _text(value)
    if name in ("http_get_path", "http_get_port"):
        part = name.removeprefix("http_get_")
        return ["probes", probe, "http_get", part], _text(value) if part == "path" else _int(label, value, svc)
    if name == "tcp_port":
        return ["probes", probe, "tcp_port"], _int(label, value, svc)
    if name in ("interval", "timeout", "start_period"):
        return ["probes", probe, name], _text(value)
    if name == "retries":
        return ["probes", probe, name], _int(label, value, svc)
    raise KeyError(name)


def _healthcheck(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    try:
        path, setting = _probe(label, value, svc)
    except KeyError:
        out.unsupported[label] = "not a Kompose probe field (test, interval, timeout, retries, start_period, " \
                                 "http_get_path, http_get_port, tcp_port)"
        return
    if path[1] not in ("readiness", "liveness"):
        out.unsupported[label] = "Kompose probes are readiness and liveness"
        return
    out.put(label, path, setting)


def _init_containers(out: LabelSettings, svc: Service, label: str, value: str) -> None:
    if label != "kompose.init.containers.image":
        if "kompose.init.containers.image" not in svc.labels:
            out.unsupported[label] = "needs kompose.init.containers.image"
        return  # read with the image
    entry: dict[str, Any] = {"image": _text(value),
                             "name": _text(svc.labels.get("kompose.init.containers.name", "init"))}
    command = svc.labels.get("kompose.init.containers.command")
    if command:
        entry["command"] = _command(command)
    out.put(label, ["init_containers"], [entry])
    for extra in ("kompose.init.containers.name", "kompose.init.containers.command"):
        if extra in svc.labels:
            out.sources["init_containers"].append(extra)
            out.described[extra] = f"x-kubemap.init_containers[0].{extra.rsplit('.', 1)[1]}"


def _command(text: str) -> list[str] | str:
    """Kompose's init command is a JSON-ish list `["sh", "-c", "…"]` or a plain string."""
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        try:
            value = json.loads(stripped)
            if isinstance(value, list):
                return [str(v) for v in value]
        except ValueError:
            pass
        return shlex.split(stripped[1:-1].replace(",", " "))
    return stripped


def _cron(key: str) -> Handler:
    def handler(out: LabelSettings, svc: Service, label: str, value: str) -> None:
        out.put(label, [key], _int(label, value, svc) if key == "backoff_limit" else _text(value))
    return handler


LABELS: dict[str, Handler] = {
    "kompose.service.type": _service_type,
    "kompose.service.nodeport.port": _node_port,
    "kompose.service.expose": _expose,
    "kompose.service.expose.tls-secret": _expose_part,
    "kompose.service.expose.ingress-class-name": _expose_part,
    "kompose.controller.type": _controller,
    "kompose.image-pull-policy": _pull_policy,
    "kompose.image-pull-secret": _pull_secret,
    "kompose.serviceaccount-name": _service_account,
    "kompose.security-context.fsgroup": _fs_group,
    "kompose.volume.size": _volume_setting("size"),
    "kompose.volume.storage-class-name": _volume_setting("storage_class"),
    "kompose.volume.selector": _volume_setting("selector"),
    "kompose.volume.type": _volume_type,
    "kompose.hpa.replicas.min": _hpa("min"),
    "kompose.hpa.replicas.max": _hpa("max"),
    "kompose.hpa.cpu": _hpa("cpu"),
    "kompose.hpa.memory": _hpa("memory"),
    "kompose.init.containers.name": _init_containers,
    "kompose.init.containers.image": _init_containers,
    "kompose.init.containers.command": _init_containers,
    "kompose.cronjob.schedule": _cron("schedule"),
    "kompose.cronjob.concurrency_policy": _cron("concurrency_policy"),
    "kompose.cronjob.backoff_limit": _cron("backoff_limit"),
}
HEALTHCHECK_PREFIX = "kompose.service.healthcheck."


def label_settings(service: Service) -> LabelSettings:
    """The x-kubemap settings a service's `kompose.*` labels mean. Pure; errors name the label."""
    out = LabelSettings()
    for label in sorted(service.labels):
        if not label.startswith(PREFIX):
            continue
        value = service.labels[label]
        handler = LABELS.get(label) or (_healthcheck if label.startswith(HEALTHCHECK_PREFIX) else None)
        if handler is not None:
            handler(out, service, label, value)
        elif label in UNSUPPORTED:
            out.unsupported[label] = UNSUPPORTED[label]
        else:
            out.unsupported[label] = "not a Kompose label kubemap knows"
    if "kompose.hpa.replicas.max" not in service.labels and "hpa" in out.settings:
        out.settings.pop("hpa")
        for label in out.sources.pop("hpa"):
            out.described.pop(label, None)
            out.unsupported[label] = "an autoscaler needs kompose.hpa.replicas.max"
    return out


VOLUME_LABELS = {"kompose.volume.size": "size", "kompose.volume.storage-class-name": "storage_class",
                 "kompose.volume.selector": "selector"}


def volume_label_settings(labels: dict[str, str]) -> dict[str, Any]:
    """A top-level volume's Kompose labels as that volume's x-kubemap settings (under them)."""
    return {VOLUME_LABELS[k]: ({"io.kompose.service": _text(v)} if k == "kompose.volume.selector" else _text(v))
            for k, v in sorted(labels.items()) if k in VOLUME_LABELS}


def trace_volume_labels(ctx: Context) -> None:
    """R-KOMPOSE-01 for `volumes.<name>.labels.kompose.*`: size, class and selector of the claim."""
    for name in sorted(ctx.project.volumes):
        volume = ctx.project.volumes[name]
        own = volume.extensions.get("x-kubemap") if isinstance(volume.extensions.get("x-kubemap"), dict) else {}
        for label in sorted(k for k in volume.labels if k.startswith(PREFIX)):
            source = f"volumes.{name}.labels.{label}"
            key = VOLUME_LABELS.get(label)
            if key is None:
                reason = UNSUPPORTED.get(label, "not a Kompose volume label kubemap knows")
                ctx.trace(source, [], "R-KOMPOSE-01", "unsupported", reason)
                ctx.finding("KM-W-KOMPOSE-LABEL", source, f"Kompose label {label} is not read: {reason}",
                            "use the volume's x-kubemap, or drop the label")
            elif key in own:
                ctx.trace(source, [], "R-KOMPOSE-01", "approximated", f"x-kubemap.{key} is set too and wins")
                ctx.finding("KM-W-KOMPOSE-OVERRIDDEN", source, f"{label} and x-kubemap.{key} both say it: "
                            "x-kubemap wins", "drop the Kompose label, or the x-kubemap key")
            else:
                ctx.trace(source, [f"PersistentVolumeClaim/{dns_label(name)}"], "R-KOMPOSE-01",
                          reason=f"as the volume's x-kubemap.{key}")


def uses_labels(service: Service) -> bool:
    return any(label.startswith(PREFIX) for label in service.labels)


def read_labels(ctx: Context, plan: ServicePlan) -> None:
    """Before any rule reads `plan.x`: the labels' settings go under the service's own
    x-kubemap. A key both set is the x-kubemap's, with a finding naming the label."""
    if not uses_labels(plan.service):
        return
    result = label_settings(plan.service)
    own = plan.service.extensions.get("x-kubemap")
    own = own if isinstance(own, dict) else {}
    for key in sorted(result.settings):
        if key in own:
            labels = result.sources[key]
            for label in labels:
                result.noted[label] = f"x-kubemap.{key} is set too and wins"
                result.described.pop(label, None)
            ctx.finding("KM-W-KOMPOSE-OVERRIDDEN", src(plan, f"labels.{labels[0]}"),
                        f"{', '.join(labels)} and x-kubemap.{key} both say it: x-kubemap wins",
                        "drop the Kompose label(s), or the x-kubemap key")
            continue
        plan.label_x[key] = result.settings[key]
    for path, label in result.paths.items():
        if path.split(".", 1)[0] in plan.label_x:
            plan.label_sources[path] = src(plan, f"labels.{label}")
    plan.kompose = result


@rule("R-KOMPOSE-01", "kompose.* labels → the x-kubemap settings they mean", keys=("labels",))
def trace_labels(ctx: Context, plan: ServicePlan) -> None:
    """Kompose's labels are read as x-kubemap settings, under the service's own `x-kubemap`
    (one code path: the label does exactly what the setting does). `kompose.service.type` →
    `service_type`; `kompose.service.nodeport.port` → `node_ports` (the one published port);
    `kompose.service.expose` (`true`, or hosts with optional paths, comma separated) with
    `.tls-secret` and `.ingress-class-name` → `ingress`; `kompose.controller.type` → `workload`;
    `kompose.image-pull-policy` → `image_pull_policy`; `kompose.image-pull-secret` →
    `image_pull_secrets`; `kompose.serviceaccount-name` → `service_account`;
    `kompose.security-context.fsgroup` → `fs_group`; `kompose.volume.size`,
    `.storage-class-name`, `.selector` → `volumes.<each named volume>.size / storage_class /
    selector` (on a top-level volume, `volumes.<v>.labels.kompose.volume.*` → that volume's
    x-kubemap); `kompose.hpa.replicas.min/max`, `.cpu`, `.memory` → `hpa`;
    `kompose.service.healthcheck.{readiness,liveness}.*` → `probes.{readiness,liveness}`;
    `kompose.init.containers.{name,image,command}` → `init_containers`;
    `kompose.cronjob.{schedule,concurrency_policy,backoff_limit}` → the same x-kubemap keys
    (a CronJob, R-CRON-01). When the service's `x-kubemap` sets the same key, it wins
    (KM-W-KOMPOSE-OVERRIDDEN). Labels kubemap does not read (`kompose.service.group`,
    `kompose.volume.type` other than the kinds kubemap picks itself, …) are reported with the
    reason. kompose.* labels do not become Kubernetes labels: they are instructions to the
    converter."""
    result: LabelSettings | None = plan.kompose
    if result is None:
        return
    svc = plan.service
    for label in sorted(l for l in svc.labels if l.startswith(PREFIX)):
        source = src(plan, f"labels.{label}")
        if label in result.unsupported:
            reason = result.unsupported[label]
            ctx.trace(source, [], "R-KOMPOSE-01", "unsupported", reason, service=svc.name)
            ctx.finding("KM-W-KOMPOSE-LABEL", source, f"Kompose label {label} is not read: {reason}",
                        "use the x-kubemap setting or Compose key named, or drop the label")
        elif label in result.noted:
            ctx.trace(source, [], "R-KOMPOSE-01", "approximated", result.noted[label], service=svc.name)
        else:
            ctx.trace(source, [plan.ref], "R-KOMPOSE-01", reason=f"as {result.described.get(label, 'x-kubemap')}",
                      service=svc.name)
