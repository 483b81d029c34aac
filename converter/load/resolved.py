"""A loaded Project written back as Compose, long syntax, the way `docker compose config` prints
it: durations as Go durations, sizes in bytes, keys sorted, empty values left out."""

from __future__ import annotations

from typing import Any

from converter.load.units import format_duration
from converter.model.project import (
    Build,
    FileObject,
    Healthcheck,
    Network,
    PortMapping,
    Project,
    Service,
    Volume,
    VolumeMount,
)


def resolved_config(project: Project) -> dict[str, Any]:
    out: dict[str, Any] = {"name": project.name}
    out["services"] = {name: _service(s) for name, s in project.services.items()}
    if project.networks:
        out["networks"] = {k: _network(project.name, n) for k, n in project.networks.items()}
    if project.volumes:
        out["volumes"] = {k: _volume(project.name, v) for k, v in project.volumes.items()}
    for kind in ("secrets", "configs"):
        objects: dict[str, FileObject] = getattr(project, kind)
        if objects:
            out[kind] = {k: _file_object(project.name, o) for k, o in objects.items()}
    out.update(project.extensions)
    return _sorted(out)


def config_document(project: Project) -> dict[str, Any]:
    """What `kubemap config` prints, as `docker compose config` does: the resolved project
    without `env_file` (its values are already in `environment`), every `$` written `$$`."""
    out = resolved_config(project)
    for service in out["services"].values():
        service.pop("env_file", None)
    return escaped(out)


def escaped(value: Any) -> Any:
    """Every `$` in keys and strings written `$$`: the output can be read again (by Compose or
    kubemap) without a second interpolation."""
    if isinstance(value, dict):
        return {escaped(k): escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escaped(v) for v in value]
    if isinstance(value, str):
        return value.replace("$", "$$")
    return value


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != [] and v != {}}


def _service(s: Service) -> dict[str, Any]:
    out: dict[str, Any] = {
        "image": s.image,
        "build": _build(s.build) if s.build else None,
        "pull_policy": s.pull_policy,
        "command": s.command,
        "entrypoint": s.entrypoint,
        "working_dir": s.working_dir,
        "user": s.user,
        "environment": {k: value for k, (value, _) in s.merged_environment().items()} or None,
        "ports": [_port(p) for p in s.ports],
        "expose": s.expose,
        "volumes": [_mount(v) for v in s.volumes],
        "tmpfs": s.tmpfs,
        "depends_on": {k: d.model_dump() for k, d in s.depends_on.items()},
        "healthcheck": _healthcheck(s.healthcheck) if s.healthcheck else None,
        "deploy": _deploy(s) if s.deploy else None,
        "restart": s.restart,
        "scale": s.scale,
        "secrets": [_drop_empty({**r.model_dump(), "target": r.target or
                                 f"/run/secrets/{r.source}"}) for r in s.secrets],
        "configs": [_drop_empty(r.model_dump()) for r in s.configs],
        "networks": {k: (_drop_empty({**n.model_dump(exclude={"other"}), **n.other}) or None)
                     if n else None for k, n in s.networks.items()},
        "network_mode": s.network_mode,
        "hostname": s.hostname,
        "domainname": s.domainname,
        "container_name": s.container_name,
        "links": s.links,
        "external_links": s.external_links,
        "extra_hosts": [f"{host}={ip}" for host, ips in sorted(s.extra_hosts.items()) for ip in ips],
        "dns": s.dns,
        "dns_search": s.dns_search,
        "dns_opt": s.dns_opt,
        "labels": s.labels,
        "annotations": s.annotations,
        "cap_add": s.cap_add,
        "cap_drop": s.cap_drop,
        "privileged": s.privileged,
        "read_only": s.read_only,
        "security_opt": s.security_opt,
        "sysctls": s.sysctls,
        "ulimits": {k: u.model_dump() for k, u in s.ulimits.items()},
        "init": s.init,
        "stdin_open": s.stdin_open,
        "tty": s.tty,
        "shm_size": s.shm_size,
        "stop_grace_period": format_duration(s.stop_grace_period)
        if s.stop_grace_period is not None else None,
        "stop_signal": s.stop_signal,
        "mem_limit": s.mem_limit,
        "mem_reservation": s.mem_reservation,
        "cpus": s.cpus,
        "profiles": s.profiles,
        "platform": s.platform,
        "env_file": s.env_files,
    }
    if s.command == [] or s.entrypoint == []:
        # an explicitly empty command is meaningful: keep it
        out = {**_drop_empty(out), **{k: [] for k in ("command", "entrypoint")
                                      if getattr(s, k) == []}}
    else:
        out = _drop_empty(out)
    if "networks" in out:
        out["networks"] = {k: v for k, v in out["networks"].items()}
    elif s.networks:
        out["networks"] = {k: None for k in s.networks}
    out.update(s.other)
    if isinstance(out.get("devices"), list):
        out["devices"] = [_device(d) for d in out["devices"]]
    out.update(s.extensions)
    return out


def _device(entry: Any) -> Any:
    """`/dev/a:/dev/b:rw` -> {source, target, permissions}, as Compose writes devices."""
    if not isinstance(entry, str):
        return entry
    parts = entry.split(":")
    source = parts[0]
    target = parts[1] if len(parts) > 1 and parts[1] else source
    permissions = parts[2] if len(parts) > 2 else "rwm"
    return {"source": source, "target": target, "permissions": permissions}


def _build(b: Build) -> dict[str, Any]:
    return _drop_empty({
        "context": b.context,
        "dockerfile": b.dockerfile if b.dockerfile is not None else
        ("Dockerfile" if b.dockerfile_inline is None else None),
        "dockerfile_inline": b.dockerfile_inline,
        "args": b.args,
        "target": b.target,
        **b.other,
    })


def _port(p: PortMapping) -> dict[str, Any]:
    return _drop_empty({
        "target": p.target,
        "published": p.published,
        "host_ip": p.host_ip,
        "protocol": p.protocol,
        "app_protocol": p.app_protocol,
        "mode": p.mode,
        "name": p.name,
    })


def _mount(v: VolumeMount) -> dict[str, Any]:
    out: dict[str, Any] = {"type": v.type, "source": v.source, "target": v.target,
                           "consistency": v.consistency}
    if v.read_only:
        out["read_only"] = True
    bind = _drop_empty({"create_host_path": v.create_host_path, "propagation": v.propagation,
                        "selinux": v.selinux})
    volume = _drop_empty({"nocopy": v.nocopy, "subpath": v.subpath})
    tmpfs = _drop_empty({"size": v.tmpfs_size, "mode": v.tmpfs_mode})
    out.update({"bind": bind, "volume": volume, "tmpfs": tmpfs})
    return _drop_empty(out)


def _healthcheck(h: Healthcheck) -> dict[str, Any]:
    out: dict[str, Any] = {"test": h.test, "retries": h.retries}
    for key in ("interval", "timeout", "start_period", "start_interval"):
        value = getattr(h, key)
        out[key] = format_duration(value) if value is not None else None
    if h.disable:
        out["disable"] = True
    return _drop_empty(out)


def _deploy(s: Service) -> dict[str, Any]:
    d = s.deploy
    assert d is not None
    out = d.model_dump(exclude_none=True)
    if d.resources:
        resources: dict[str, Any] = {}
        for key in ("limits", "reservations"):
            spec = getattr(d.resources, key)
            if spec:
                resources[key] = _drop_empty(spec.model_dump())
        out["resources"] = resources
    if d.restart_policy:
        rp = d.restart_policy
        out["restart_policy"] = _drop_empty({
            "condition": rp.condition,
            "delay": format_duration(rp.delay) if rp.delay is not None else None,
            "max_attempts": rp.max_attempts,
            "window": format_duration(rp.window) if rp.window is not None else None,
        })
    return _drop_empty(out)


def _network(project: str, n: Network) -> dict[str, Any]:
    out = _drop_empty({"driver": n.driver, "labels": n.labels, **n.other, **n.extensions})
    if n.external:
        out["external"] = True
    if n.internal:
        out["internal"] = True
    out.setdefault("name", n.name if n.external else f"{project}_{n.name}")
    return out


def _volume(project: str, v: Volume) -> dict[str, Any]:
    out = _drop_empty({"driver": v.driver, "driver_opts": v.driver_opts, "labels": v.labels,
                       **v.other, **v.extensions})
    if v.external:
        out["external"] = True
    out.setdefault("name", v.name if v.external else f"{project}_{v.name}")
    return out


def _file_object(project: str, o: FileObject) -> dict[str, Any]:
    out = _drop_empty({"file": o.file, "environment": o.environment, "content": o.content,
                       "labels": o.labels, **o.other, **o.extensions})
    if o.external:
        out["external"] = True
    out.setdefault("name", o.name if o.external else f"{project}_{o.name}")
    return out
