"""Short syntax -> long syntax, and raw service mappings -> `Service` models.

Runs after merging, interpolation and schema validation, so types are the schema's; values that
came from interpolation can still be strings where numbers are expected, and are converted here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from converter.errors import LoadError
from converter.load.dotenv import parse_dotenv
from converter.load.merge import depends_map, hosts_map, key_value_map, name_map
from converter.load.units import UnitError, compose_string, parse_bytes, parse_duration
from converter.load.yaml_reader import LMap, LSeq, format_path, locate
from converter.model.project import (
    Build,
    Deploy,
    DependsOn,
    FileReference,
    Healthcheck,
    PortMapping,
    Service,
    ServiceNetwork,
    SourceRef,
    Ulimit,
    VolumeMount,
)

_PROTOCOLS = ("tcp", "udp", "sctp")
_PROPAGATION = {"shared", "rshared", "slave", "rslave", "private", "rprivate"}
_CONSISTENCY = {"cached", "delegated", "consistent"}


class Problem(ValueError):
    """A value that the schema accepted but that is still wrong; `path` is relative to the value."""

    def __init__(self, message: str, hint: str | None = None, path: list[Any] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = path or []


# ---------------------------------------------------------------- ports


def _port_number(text: str, what: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise Problem(f"{text!r} is not a valid {what}; expected a number from 0 to 65535",
                      'write e.g. "8080:80", "127.0.0.1:8080:80/udp" or "8000-8002:8000-8002"')
    return int(text)


def _port_range(text: str, what: str) -> list[int]:
    low, sep, high = text.partition("-")
    start = _port_number(low, what)
    if not sep:
        return [start]
    end = _port_number(high, what)
    if end < start:
        raise Problem(f"{text!r} is not a valid {what} range: it ends before it starts",
                      "write the lower port first, e.g. 8000-8002")
    return list(range(start, end + 1))


def port_entries(entry: Any) -> list[dict[str, Any]]:
    """One `ports` entry (short string, number, or long mapping) -> long-syntax dicts, one per
    container port (ranges expanded)."""
    if isinstance(entry, bool):
        raise Problem(f"{entry!r} is not a valid port")
    if isinstance(entry, int):
        return [{"target": _port_number(str(entry), "container port")}]
    if isinstance(entry, dict):
        target = entry.get("target")
        if target is None:
            raise Problem("a long-syntax port needs `target` (the container port)",
                          "add e.g. `target: 80`")
        out: dict[str, Any] = {"target": _port_number(str(target), "container port")}
        published = entry.get("published")
        if published is not None and published != "":
            out["published"] = str(published)
        for key in ("host_ip", "app_protocol", "name"):
            if entry.get(key) is not None:
                out[key] = str(entry[key])
        protocol = str(entry.get("protocol") or "tcp").lower()
        if protocol not in _PROTOCOLS:
            raise Problem(f"{protocol!r} is not a port protocol; expected tcp, udp or sctp")
        out["protocol"] = protocol
        mode = entry.get("mode") or "ingress"
        if mode not in ("ingress", "host"):
            raise Problem(f"{mode!r} is not a port mode; expected ingress or host")
        out["mode"] = mode
        return [out]
    text = str(entry).strip()
    protocol = "tcp"
    if "/" in text:
        text, _, protocol = text.rpartition("/")
        protocol = protocol.lower()
        if protocol not in _PROTOCOLS:
            raise Problem(f"{protocol!r} is not a port protocol; expected tcp, udp or sctp")
    host_ip: str | None = None
    if text.startswith("["):  # [::1]:8080:80
        close = text.find("]")
        if close < 0:
            raise Problem(f"{entry!r}: the IPv6 host address is missing its ']'")
        host_ip = text[1:close]
        text = text[close + 1 :].lstrip(":")
        parts = text.split(":")
        if len(parts) == 1:
            parts = ["", parts[0]]
    else:
        parts = text.split(":")
        if len(parts) > 3:  # an unbracketed IPv6 address
            host_ip = ":".join(parts[:-2])
            parts = parts[-2:]
        elif len(parts) == 3:
            host_ip = parts[0]
            parts = parts[1:]
    if len(parts) == 1:
        host, container = "", parts[0]
    else:
        host, container = parts
    targets = _port_range(container, "container port")
    base: dict[str, Any] = {"protocol": protocol, "mode": "ingress"}
    if host_ip:
        base["host_ip"] = host_ip
    if not host:
        return [{**base, "target": t} for t in targets]
    hosts = _port_range(host, "host port")
    if len(hosts) == len(targets):
        return [{**base, "target": t, "published": str(h)} for t, h in zip(targets, hosts)]
    if len(targets) == 1:
        # several host ports for one container port: Compose keeps the host range as is
        return [{**base, "target": targets[0], "published": host}]
    raise Problem(f"{entry!r}: the host range has {len(hosts)} ports but the container range "
                  f"has {len(targets)}", "use ranges of the same length")


# ---------------------------------------------------------------- volumes


def _is_path(source: str) -> bool:
    return source.startswith((".", "/", "~")) or bool(re.match(r"^[A-Za-z]:[\\/]", source))


def volume_entry(entry: Any, project_dir: str | None, home: str | None = None) -> dict[str, Any]:
    """One `volumes` entry (short "src:dst:mode" or long mapping) -> a long-syntax dict."""
    if isinstance(entry, dict):
        out = dict(entry)
        if "target" not in out or not out["target"]:
            raise Problem("a long-syntax volume needs `target` (the path in the container)")
        if "type" not in out:
            raise Problem("a long-syntax volume needs `type` (volume, bind, tmpfs, ...)")
        if out["type"] == "bind" and out.get("source") and project_dir is not None:
            out["source"] = absolute_path(str(out["source"]), project_dir, home)
        return out
    text = str(entry)
    parts = _split_volume(text)
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0]}
    if len(parts) > 3:
        raise Problem(f"{text!r} is not a valid volume: too many ':'",
                      'write "SOURCE:TARGET[:MODE]", e.g. "./data:/data:ro"')
    source, target = parts[0], parts[1]
    if not target:
        raise Problem(f"{text!r} is not a valid volume: the target is empty",
                      'write "SOURCE:TARGET[:MODE]", e.g. "./data:/data:ro"')
    out: dict[str, Any] = {"target": target}
    modes = parts[2].split(",") if len(parts) == 3 else []
    if _is_path(source):
        out["type"] = "bind"
        out["source"] = absolute_path(source, project_dir, home) if project_dir else source
        out["bind"] = {"create_host_path": True}
    else:
        out["type"] = "volume"
        out["source"] = source
    for mode in filter(None, modes):
        if mode == "ro":
            out["read_only"] = True
        elif mode == "rw":
            out["read_only"] = False
        elif mode in ("z", "Z"):
            out.setdefault("bind", {})["selinux"] = mode
        elif mode == "nocopy":
            out.setdefault("volume", {})["nocopy"] = True
        elif mode in _PROPAGATION:
            out.setdefault("bind", {})["propagation"] = mode
        elif mode in _CONSISTENCY:
            out["consistency"] = mode
        else:
            # Compose (compose-go) ignores options it does not know, e.g. zabbix's `:roz`.
            out.setdefault("unknown_modes", []).append(mode)
    return out


def _split_volume(text: str) -> list[str]:
    """Split "src:dst:mode" on ':', keeping Windows drive letters ("C:\\data") in one piece."""
    raw = text.split(":")
    parts: list[str] = []
    index = 0
    while index < len(raw):
        token = raw[index]
        following = raw[index + 1] if index + 1 < len(raw) else None
        after = raw[index + 2] if index + 2 < len(raw) else ""
        drive = following is not None and (
            following[:1] == "\\"
            or (following[:1] == "/" and (after[:1] in ("/", "\\") or (len(after) == 1 and after.isalpha())))
        )
        if len(token) == 1 and token.isalpha() and drive and (index == 0 or len(parts) == 1):
            parts.append(token + ":" + following)
            index += 2
            continue
        parts.append(token)
        index += 1
    return parts


def is_windows_path(path: str) -> bool:
    return bool(re.match(r"^[A-Za-z]:[\\/]", path)) or path.startswith("\\\\")


def absolute_path(path: str, base: str | None, home: str | None = None) -> str:
    """Expand `~` and make a relative path absolute against `base` (lexically, like Compose)."""
    if path.startswith("~"):
        home = home or os.path.expanduser("~")
        path = home + path[1:]
    if re.match(r"^[A-Za-z]:[\\/]", path) or base is None:
        return path
    return os.path.normpath(os.path.join(base, path))


def _known_modes(raw: dict[str, Any], entry: Any, ctx: ServiceContext) -> dict[str, Any]:
    """Unknown short-syntax modes are ignored as Compose ignores them, with a warning."""
    for mode in raw.pop("unknown_modes", []):
        ctx.warnings.append(f"volume {entry!r}: {mode!r} is not a volume mode; ignored as Compose does "
                            "(use ro, rw, z, Z, nocopy, a propagation or cached)")
    return raw


def _mount(raw: dict[str, Any]) -> VolumeMount:
    bind = raw.get("bind") or {}
    volume = raw.get("volume") or {}
    tmpfs = raw.get("tmpfs") or {}
    size = tmpfs.get("size")
    mode = tmpfs.get("mode")
    return VolumeMount(
        type=raw["type"],
        source=str(raw["source"]) if raw.get("source") not in (None, "") else None,
        target=str(raw["target"]),
        read_only=_bool(raw.get("read_only", False)),
        consistency=raw.get("consistency"),
        create_host_path=_opt_bool(bind.get("create_host_path")),
        propagation=bind.get("propagation"),
        selinux=bind.get("selinux"),
        nocopy=_opt_bool(volume.get("nocopy")),
        subpath=volume.get("subpath"),
        tmpfs_size=_at(["tmpfs", "size"], lambda: _bytes(size)),
        tmpfs_mode=_at(["tmpfs", "mode"], lambda: _mode(mode)) if mode is not None else None,
    )


# ---------------------------------------------------------------- small helpers


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "on", "1"):
        return True
    if text in ("false", "no", "n", "off", "0", ""):
        return False
    raise Problem(f"{value!r} is not a boolean; expected true or false")


def _opt_bool(value: Any) -> bool | None:
    return None if value is None else _bool(value)


def _int(value: Any, what: str = "number") -> int:
    if isinstance(value, bool):
        raise Problem(f"{value!r} is not a {what}; expected a whole number")
    try:
        return int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise Problem(f"{value!r} is not a {what}; expected a whole number") from None


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Problem(f"{value!r} is not a number; expected e.g. 0.5 or 2") from None


def _mode(value: Any) -> int:
    """File mode: an int (YAML already read 0440 as octal) or a string like "0440"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    try:
        return int(text, 8) if text.startswith("0") else int(text)
    except ValueError:
        raise Problem(f"{value!r} is not a file mode; expected e.g. 0440") from None


def _duration(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except UnitError as err:
        raise Problem(str(err)) from None


def _bytes(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return parse_bytes(value)
    except UnitError as err:
        raise Problem(str(err)) from None


def _str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _command(value: Any) -> list[str] | None:
    """command/entrypoint: a string is split like a POSIX shell would (Compose uses shlex)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [compose_string(v) or "" for v in value]
    import shlex

    try:
        return shlex.split(str(value))
    except ValueError as err:
        raise Problem(f"cannot split the command {value!r}: {err}",
                      "close the quote, or write the command as a list") from None


def string_map(value: Any) -> dict[str, str | None]:
    return {str(k): compose_string(v) for k, v in key_value_map(value).items()}


def _labels(value: Any) -> dict[str, str]:
    return {k: "" if v is None else v for k, v in string_map(value).items()}


# ---------------------------------------------------------------- service


class ServiceContext:
    """What normalising one service needs from the project."""

    def __init__(
        self,
        project_dir: str,
        lookup: Callable[[str], str | None],
        warnings: list[str],
        home: str | None,
    ) -> None:
        self.project_dir = project_dir
        self.lookup = lookup
        self.warnings = warnings
        self.home = home


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


def _at(path: list[Any], fn: Callable[[], Any]) -> Any:
    """Run fn, prefixing the key path of any Problem it raises."""
    try:
        return fn()
    except Problem as problem:
        problem.path = [*path, *problem.path]
        raise


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
            fields[key] = _at([key], lambda k=key: _bool(get(k)))
    for key in ("links", "external_links", "dns", "dns_search", "dns_opt", "cap_add", "cap_drop",
                "security_opt", "profiles", "tmpfs"):
        fields[key] = _str_list(get(key))
    fields["command"] = _at(["command"], lambda: _command(get("command")))
    fields["entrypoint"] = _at(["entrypoint"], lambda: _command(get("entrypoint")))
    if get("scale") is not None:
        fields["scale"] = _at(["scale"], lambda: _int(get("scale")))
    for key in ("shm_size", "mem_limit", "mem_reservation"):
        fields[key] = _at([key], lambda k=key: _bytes(get(k)))
    if get("cpus") is not None:
        fields["cpus"] = _at(["cpus"], lambda: _float(get("cpus")))
    fields["stop_grace_period"] = _at(["stop_grace_period"],
                                      lambda: _duration(get("stop_grace_period")))
    if get("build") is not None:
        fields["build"] = _at(["build"], lambda: _build(get("build"), ctx))
    # `KEY` without a value takes the project environment's value, when it has one (Compose).
    fields["environment"] = {
        k: (ctx.lookup(k) if v is None else v) for k, v in string_map(get("environment")).items()
    }
    env_files, env_values = _at(["env_file"], lambda: _env_files(get("env_file"), ctx))
    fields["env_files"] = env_files
    fields["env_file_values"] = {
        k: v for k, v in env_values.items() if k not in fields["environment"]
    }
    ports: list[PortMapping] = []
    for index, entry in enumerate(get("ports") or []):
        ports.extend(PortMapping(**p) for p in _at(["ports", index], lambda e=entry: port_entries(e)))
    fields["ports"] = ports
    fields["expose"] = [str(e) for e in get("expose") or []]
    fields["volumes"] = [
        _at(["volumes", i], lambda e=e: _mount(_known_modes(volume_entry(e, ctx.project_dir, ctx.home), e, ctx)))
        for i, e in enumerate(get("volumes") or [])
    ]
    fields["depends_on"] = _at(["depends_on"], lambda: _depends(get("depends_on")))
    if get("healthcheck") is not None:
        fields["healthcheck"] = _at(["healthcheck"], lambda: _healthcheck(get("healthcheck")))
    if get("deploy") is not None:
        fields["deploy"] = _at(["deploy"], lambda: _deploy(get("deploy")))
    fields["secrets"] = _at(["secrets"], lambda: _file_refs(get("secrets")))
    fields["configs"] = _at(["configs"], lambda: _file_refs(get("configs")))
    fields["networks"] = _at(["networks"], lambda: _networks(get("networks")))
    fields["extra_hosts"] = {k: list(v) for k, v in hosts_map(get("extra_hosts") or []).items()}
    fields["labels"] = {
        **_at(["label_file"], lambda: _label_files(get("label_file"), ctx)),
        **_labels(get("labels")),
    }
    fields["annotations"] = _labels(get("annotations"))
    fields["sysctls"] = _labels(get("sysctls"))
    fields["ulimits"] = _at(["ulimits"], lambda: _ulimits(get("ulimits")))
    fields["other"] = {
        k: _plain(v) for k, v in raw.items() if k not in _TYPED and not str(k).startswith("x-")
    }
    fields["extensions"] = {k: _plain(v) for k, v in raw.items() if str(k).startswith("x-")}
    fields["keys"] = [str(k) for k in raw if k != "extends"]
    fields["sources"] = _sources(raw, fields)
    return Service(**fields)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _build(value: Any, ctx: ServiceContext) -> Build:
    if isinstance(value, str):
        value = {"context": value}
    context = str(value.get("context") or ".")
    if not re.match(r"^[a-z]+://|^git@|^github\.com/", context):
        context = absolute_path(context, ctx.project_dir, ctx.home)
        if not os.path.isdir(context):
            ctx.warnings.append(f"build context {context} does not exist (building the image "
                                "will fail; converting does not need it)")
    args = {str(k): compose_string(v) for k, v in key_value_map(value.get("args") or {}).items()}
    known = {"context", "dockerfile", "dockerfile_inline", "args", "target"}
    other = {k: _plain(v) for k, v in value.items() if k not in known}
    if "labels" in other:
        other["labels"] = _labels(value["labels"])
    return Build(
        context=context,
        dockerfile=value.get("dockerfile"),
        dockerfile_inline=value.get("dockerfile_inline"),
        args=args,
        target=value.get("target"),
        other=other,
    )


def _env_files(value: Any, ctx: ServiceContext) -> tuple[list[str], dict[str, str | None]]:
    if value is None:
        return [], {}
    entries = value if isinstance(value, list) else [value]
    paths: list[str] = []
    values: dict[str, str | None] = {}
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):
            path, required = entry.get("path"), _bool(entry.get("required", True))
            if entry.get("format"):
                raise Problem(f"env_file format {entry['format']!r} is not supported",
                              "kubemap reads the Compose dotenv format: remove `format`",
                              path=[index, "format"] if isinstance(value, list) else ["format"])
        else:
            path, required = entry, True
        path = absolute_path(str(path), ctx.project_dir, ctx.home)
        if not os.path.isfile(path):
            if required:
                raise Problem(f"env file {path} not found",
                              "create it, fix the path, or use the long form with "
                              "`required: false`", path=[index] if isinstance(value, list) else [])
            continue
        paths.append(path)
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        values.update(parse_dotenv(text, path, ctx.lookup, ctx.warnings))
    return paths, values


def _label_files(value: Any, ctx: ServiceContext) -> dict[str, str]:
    """Labels read from `label_file` (dotenv syntax); inline `labels` win over them."""
    out: dict[str, str] = {}
    for index, path in enumerate(value if isinstance(value, list) else [value] if value else []):
        path = absolute_path(str(path), ctx.project_dir, ctx.home)
        if not os.path.isfile(path):
            raise Problem(f"label file {path} not found", "create it or fix the path",
                          path=[index] if isinstance(value, list) else [])
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        for key, label in parse_dotenv(text, path, ctx.lookup, ctx.warnings).items():
            out[key] = label or ""
    return out


def _depends(value: Any) -> dict[str, DependsOn]:
    out: dict[str, DependsOn] = {}
    for name, spec in depends_map(value or []).items():
        spec = spec or {}
        out[str(name)] = DependsOn(
            condition=spec.get("condition", "service_started"),
            required=_bool(spec.get("required", True)),
            restart=_bool(spec.get("restart", False)),
        )
    return out


def _healthcheck(value: Any) -> Healthcheck:
    test = value.get("test")
    if isinstance(test, str):
        test_list: list[str] | None = ["CMD-SHELL", test]
    elif isinstance(test, list):
        test_list = [str(t) for t in test]
    else:
        test_list = None
    disable = _bool(value.get("disable", False)) or test_list == ["NONE"]
    return Healthcheck(
        test=test_list,
        interval=_at(["interval"], lambda: _duration(value.get("interval"))),
        timeout=_at(["timeout"], lambda: _duration(value.get("timeout"))),
        retries=_at(["retries"], lambda: _int(value["retries"])) if value.get("retries") is not None
        else None,
        start_period=_at(["start_period"], lambda: _duration(value.get("start_period"))),
        start_interval=_at(["start_interval"], lambda: _duration(value.get("start_interval"))),
        disable=disable,
    )


def _deploy(value: Any) -> Deploy:
    from converter.model.project import ResourceSpec, Resources, RestartPolicy

    def spec(raw: Any) -> ResourceSpec | None:
        if raw is None:
            return None
        return ResourceSpec(
            cpus=_float(raw["cpus"]) if raw.get("cpus") is not None else None,
            memory=_bytes(raw.get("memory")),
            pids=_int(raw["pids"]) if raw.get("pids") is not None else None,
            devices=_plain(raw.get("devices")),
            generic_resources=_plain(raw.get("generic_resources")),
        )

    resources = value.get("resources")
    restart = value.get("restart_policy")
    return Deploy(
        mode=value.get("mode"),
        replicas=_at(["replicas"], lambda: _int(value["replicas"]))
        if value.get("replicas") is not None else None,
        resources=Resources(
            limits=_at(["resources", "limits"], lambda: spec(resources.get("limits"))),
            reservations=_at(["resources", "reservations"],
                             lambda: spec(resources.get("reservations"))),
        ) if resources is not None else None,
        restart_policy=RestartPolicy(
            condition=restart.get("condition"),
            delay=_duration(restart.get("delay")),
            max_attempts=_int(restart["max_attempts"]) if restart.get("max_attempts") is not None
            else None,
            window=_duration(restart.get("window")),
        ) if restart is not None else None,
        labels=_labels(value.get("labels")),
        endpoint_mode=value.get("endpoint_mode"),
        placement=_plain(value.get("placement")),
        update_config=_plain(value.get("update_config")),
        rollback_config=_plain(value.get("rollback_config")),
    )


def _file_refs(value: Any) -> list[FileReference]:
    out = []
    for index, entry in enumerate(value or []):
        if isinstance(entry, str):
            out.append(FileReference(source=entry))
            continue
        out.append(FileReference(
            source=str(entry["source"]),
            target=compose_string(entry.get("target")),
            uid=compose_string(entry.get("uid")),
            gid=compose_string(entry.get("gid")),
            mode=_at([index, "mode"], lambda e=entry: _mode(e["mode"]))
            if entry.get("mode") is not None else None,
        ))
    return out


def _networks(value: Any) -> dict[str, ServiceNetwork | None]:
    out: dict[str, ServiceNetwork | None] = {}
    for name, spec in name_map(value or []).items():
        if spec is None:
            out[str(name)] = None
            continue
        known = {"aliases", "ipv4_address", "ipv6_address", "priority"}
        out[str(name)] = ServiceNetwork(
            aliases=_str_list(spec.get("aliases")),
            ipv4_address=spec.get("ipv4_address"),
            ipv6_address=spec.get("ipv6_address"),
            priority=_int(spec["priority"]) if spec.get("priority") is not None else None,
            other={k: _plain(v) for k, v in spec.items() if k not in known},
        )
    return out


def _ulimits(value: Any) -> dict[str, Ulimit]:
    out: dict[str, Ulimit] = {}
    for name, spec in (value or {}).items():
        if isinstance(spec, dict):
            out[str(name)] = Ulimit(soft=_at([name, "soft"], lambda s=spec: _int(s.get("soft"))),
                                    hard=_at([name, "hard"], lambda s=spec: _int(s.get("hard"))))
        else:
            number = _at([name], lambda s=spec: _int(s))
            out[str(name)] = Ulimit(soft=number, hard=number)
    return out


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
        index = 0
        for item_index, entry in enumerate(written):
            pos = written.pos[item_index] if item_index < len(written.pos) else None
            try:
                count = len(port_entries(entry))
            except Problem:
                count = 1
            for _ in range(count):
                if pos:
                    out[f"ports[{index}]"] = SourceRef(file=pos[0], line=pos[1])
                index += 1
    return dict(sorted(out.items()))
