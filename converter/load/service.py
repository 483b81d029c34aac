"""A merged service mapping -> the `Service` model: every key either a typed field or kept in
`other`, with where each key was written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from converter.errors import LoadError
from converter.load import service_keys as keys
from converter.load.problems import Problem, at
from converter.load.service_files import env_files, label_files
from converter.load.short_syntax import hosts_map, port_entries, port_identity, volume_entry
from converter.load.units import compose_string
from converter.load.values import (
    boolean,
    byte_size,
    command_words,
    duration,
    integer,
    labels,
    number,
    plain,
    str_list,
    string_map,
)
from converter.load.yaml_reader import LMap, LSeq, format_path, locate
from converter.model.project import PortMapping, Service, SourceRef


@dataclass(frozen=True)
class ServiceContext:
    """What building one service needs from the project: its variables (for `KEY` without a
    value and for env files) and where Compose's warnings go."""

    lookup: Callable[[str], str | None]
    warnings: list[str]
    locate: Callable[[str], tuple[str, str]]  # may a value file be read (host_paths.value_file)


def build_service(name: str, raw: LMap, ctx: ServiceContext, root: Any) -> Service:
    """Turn one merged service mapping into a `Service`. Errors name services.<name>.<key>."""
    try:
        return _build_service(name, raw, ctx)
    except Problem as problem:
        path = ["services", name, *problem.path]
        pos = locate(root, path)
        raise LoadError(problem.message, file=pos[0] if pos else None,
                        line=pos[1] if pos else None, key_path=format_path(path),
                        hint=problem.hint) from None
    except ValidationError as err:
        first = err.errors()[0]
        loc = [p for p in first.get("loc", ()) if isinstance(p, (str, int))]
        path = ["services", name, *loc]
        pos = locate(root, path)
        raise LoadError(f"invalid value: {first.get('msg')}", file=pos[0] if pos else None,
                        line=pos[1] if pos else None, key_path=format_path(path)) from None


_TYPED = {
    "image", "build", "pull_policy", "command", "entrypoint", "working_dir", "user",
    "environment", "env_file", "ports", "expose", "volumes", "tmpfs", "depends_on", "healthcheck",
    "deploy", "restart", "scale", "secrets", "configs", "networks", "network_mode", "hostname",
    "domainname", "container_name", "links", "external_links", "extra_hosts", "dns", "dns_search",
    "dns_opt", "labels", "annotations", "cap_add", "cap_drop", "privileged", "read_only",
    "security_opt", "sysctls", "ulimits", "init", "stdin_open", "tty", "shm_size",
    "stop_grace_period", "stop_signal", "mem_limit", "mem_reservation", "cpus", "profiles",
    "platform", "extends",
}


def _build_service(name: str, raw: LMap, ctx: ServiceContext) -> Service:
    fields: dict[str, Any] = {"name": name}
    get = raw.get
    for key in ("image", "pull_policy", "working_dir", "user", "restart", "network_mode",
                "hostname", "domainname", "container_name", "stop_signal", "platform"):
        if get(key) is not None:
            fields[key] = compose_string(get(key))
    for key in ("privileged", "read_only", "init", "stdin_open", "tty"):
        if get(key) is not None:
            fields[key] = at([key], lambda k=key: boolean(get(k)))
    for key in ("links", "external_links", "dns", "dns_search", "dns_opt", "cap_add", "cap_drop",
                "security_opt", "profiles", "tmpfs"):
        fields[key] = str_list(get(key))
    for key in ("command", "entrypoint"):
        fields[key] = at([key], lambda k=key: command_words(
            get(k), lambda text, k=k: ctx.warnings.append(f"service {name!r}: {k}: {text}")))
    if get("scale") is not None:
        fields["scale"] = at(["scale"], lambda: integer(get("scale")))
    for key in ("shm_size", "mem_limit", "mem_reservation"):
        fields[key] = at([key], lambda k=key: byte_size(get(k)))
    if get("cpus") is not None:
        fields["cpus"] = at(["cpus"], lambda: number(get("cpus")))
    fields["stop_grace_period"] = at(["stop_grace_period"],
                                      lambda: duration(get("stop_grace_period")))
    if get("build") is not None:
        fields["build"] = at(["build"], lambda: keys.build(get("build"), ctx.warnings))
    # `KEY` without a value takes the project environment's value, when it has one (Compose).
    fields["environment"] = {
        k: (ctx.lookup(k) if v is None else v) for k, v in string_map(get("environment")).items()
    }
    fields["env_files"], fields["env_file_values"] = at(
        ["env_file"], lambda: env_files(get("env_file"), ctx.lookup, ctx.warnings, ctx.locate))
    fields["ports"] = [PortMapping(**p) for p, _ in unique_ports(get("ports"))]
    fields["expose"] = [str(e) for e in get("expose") or []]
    fields["volumes"] = [
        at(["volumes", i], lambda i=i, e=e: keys.volume_mount(_volume(name, i, e, ctx)))
        for i, e in enumerate(get("volumes") or [])
    ]
    fields["depends_on"] = at(["depends_on"], lambda: keys.depends_on(get("depends_on")))
    if get("healthcheck") is not None:
        fields["healthcheck"] = at(["healthcheck"], lambda: keys.healthcheck(get("healthcheck")))
    if get("deploy") is not None:
        fields["deploy"] = at(["deploy"], lambda: keys.deploy(get("deploy")))
    fields["secrets"] = at(["secrets"], lambda: keys.file_references(get("secrets")))
    fields["configs"] = at(["configs"], lambda: keys.file_references(get("configs")))
    fields["networks"] = at(["networks"], lambda: keys.networks(get("networks")))
    fields["extra_hosts"] = {k: list(v) for k, v in hosts_map(get("extra_hosts") or []).items()}
    fields["labels"] = {
        **at(["label_file"], lambda: label_files(get("label_file"), ctx.lookup, ctx.warnings, ctx.locate)),
        **labels(get("labels")),
    }
    fields["annotations"] = labels(get("annotations"))
    fields["sysctls"] = labels(get("sysctls"))
    fields["ulimits"] = at(["ulimits"], lambda: keys.ulimits(get("ulimits")))
    fields["other"] = {
        k: plain(v) for k, v in raw.items() if k not in _TYPED and not str(k).startswith("x-")
    }
    fields["extensions"] = {k: plain(v) for k, v in raw.items() if str(k).startswith("x-")}
    fields["keys"] = [str(k) for k in raw if k != "extends"]
    fields["sources"] = _sources(raw, fields)
    return Service(**fields)


def unique_ports(written: Any) -> list[tuple[dict[str, Any], int]]:
    """Every port mapping with the index of the entry that wrote it; a later mapping with the
    same host ip, published port, target and protocol replaces an earlier one in its place
    (Compose keeps ports unique)."""
    out: list[tuple[dict[str, Any], int]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, entry in enumerate(written or []):
        for port in at(["ports", index], lambda e=entry: port_entries(e)):
            identity = port_identity(port)
            if identity in seen:
                out[seen[identity]] = (port, index)
            else:
                seen[identity] = len(out)
                out.append((port, index))
    return out


def _volume(service: str, index: int, entry: Any, ctx: ServiceContext) -> dict[str, Any]:
    ignored: list[str] = []
    mount = volume_entry(entry, ignored)
    for option in ignored:
        ctx.warnings.append(f"service {service!r}: volumes[{index}] option {option!r} is not a "
                            "volume option Compose knows; it is ignored (as Compose does)")
    return mount


def _sources(raw: LMap, fields: dict[str, Any]) -> dict[str, SourceRef]:
    """Key path (relative to the service) -> where it was written."""
    out: dict[str, SourceRef] = {}

    def walk(node: Any, prefix: str, depth: int) -> None:
        if depth > 4:
            return
        if isinstance(node, LMap):
            for key, value in node.items():
                pos = node.pos.get(key)
                path = f"{prefix}.{key}" if prefix else str(key)
                if pos:
                    out[path] = SourceRef(file=pos[0], line=pos[1])
                walk(value, path, depth + 1)
        elif isinstance(node, LSeq):
            for index, value in enumerate(node):
                pos = node.pos[index] if index < len(node.pos) else None
                path = f"{prefix}[{index}]"
                if pos:
                    out[path] = SourceRef(file=pos[0], line=pos[1])
                walk(value, path, depth + 1)

    walk(raw, "", 0)
    # Port ranges expand to several mappings: index the sources by the expanded position.
    written = raw.get("ports")
    if isinstance(written, LSeq):
        for key in [k for k in out if k.startswith("ports[")]:
            del out[key]
        for index, (_, item_index) in enumerate(unique_ports(written)):
            pos = written.pos[item_index] if item_index < len(written.pos) else None
            if pos:
                out[f"ports[{index}]"] = SourceRef(file=pos[0], line=pos[1])
    return dict(sorted(out.items()))
