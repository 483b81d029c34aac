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


def _port_range(text: str, what: str) -> tuple[int, int]:
    if text == "":
        raise Problem(f"the {what} is empty",
                      'write e.g. "8080:80", "127.0.0.1:8080:80/udp" or "8000-8002:8000-8002"')
    low, sep, high = text.partition("-")
    start = _port_number(low, what)
    if not sep or low == high:
        return start, start
    end = _port_number(high, what)
    if end < start:
        raise Problem(f"{text!r} is not a valid {what} range: it ends before it starts",
                      "write the lower port first, e.g. 8000-8002")
    return start, end


def _valid_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def port_entries(entry: Any) -> list[dict[str, Any]]:
    """One `ports` entry (short string, number, or long mapping) -> long-syntax dicts, one per
    container port (ranges expanded, ordered as Compose orders them: by "port/protocol" text)."""
    if isinstance(entry, bool):
        raise Problem(f"{entry!r} is not a valid port")
    if isinstance(entry, int):
        return [{"target": _port_number(str(entry), "container port"), "protocol": "tcp",
                 "mode": "ingress"}]
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
    text = str(entry)
    parts = text.split(":")
    if len(parts) == 1:
        host_ip, host, container = "", "", parts[0]
    elif len(parts) == 2:
        host_ip, host, container = "", parts[0], parts[1]
    else:
        host_ip, host, container = ":".join(parts[:-2]), parts[-2], parts[-1]
    container, _, protocol = container.partition("/")
    protocol = (protocol or "tcp").lower()
    if container == "":
        raise Problem(f"{text!r} names no container port",
                      'write e.g. "8080:80", "127.0.0.1:8080:80/udp" or "8000-8002:8000-8002"')
    if protocol not in _PROTOCOLS:
        raise Problem(f"{protocol!r} is not a port protocol; expected tcp, udp or sctp")
    if host_ip.startswith("[") and host_ip.endswith("]"):
        host_ip = host_ip[1:-1]
    if host_ip and not _valid_ip(host_ip):
        raise Problem(f"{host_ip!r} in {text!r} is not an IP address",
                      'write e.g. "127.0.0.1:8080:80" or "[::1]:8080:80"')
    first, last = _port_range(container, "container port")
    base: dict[str, Any] = {"protocol": protocol, "mode": "ingress"}
    if host_ip:
        base["host_ip"] = host_ip
    count = last - first + 1
    out_ports = []
    if host:
        host_first, host_last = _port_range(host, "host port")
        if host_last - host_first != last - first and count != 1:
            raise Problem(f"{text!r}: the host range has {host_last - host_first + 1} ports but "
                          f"the container range has {count}", "use ranges of the same length")
        for i in range(count):
            published = str(host_first + i)
            if count == 1 and host_first != host_last:
                # several host ports for one container port: Compose keeps the host range
                published += f"-{host_last}"
            out_ports.append({**base, "target": first + i, "published": published})
    else:
        out_ports = [{**base, "target": first + i} for i in range(count)]
    return sorted(out_ports, key=lambda p: f"{p['target']}/{protocol}")


def port_identity(port: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two ports the same one for Compose: host ip, published, target, protocol."""
    return (port.get("host_ip") or "", port.get("published") or "", port["target"],
            port.get("protocol") or "tcp")


# ---------------------------------------------------------------- volumes

_BIND_OPTIONS = _PROPAGATION | {"z", "Z"}


def volume_entry(entry: Any, project_dir: str | None, home: str | None = None,
                 ignored: list[str] | None = None) -> dict[str, Any]:
    """One `volumes` entry (short "src:dst:mode" or long mapping) -> a long-syntax dict.

    The short syntax is read as Compose reads it: a one-letter section followed by ':' is a
    Windows drive; an empty section is an error; options other than ro, rw, nocopy, z, Z and
    the propagations are ignored (listed in `ignored` when given)."""
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
    if text == "":
        raise Problem("the volume is empty", 'write "SOURCE:TARGET[:MODE]", e.g. "./data:/data:ro"')
    if len(text) <= 2:
        return {"type": "volume", "target": text}
    source, target, options = _split_volume(text)
    out: dict[str, Any] = {"target": target}
    if _is_path(source):
        out["type"] = "bind"
        out["source"] = absolute_path(source, project_dir, home) if project_dir else source
        out["bind"] = {"create_host_path": True}
    else:
        out["type"] = "volume"
        if source:
            out["source"] = source
    for option in options:
        if option == "ro":
            out["read_only"] = True
        elif option == "rw":
            out["read_only"] = False
        elif option == "nocopy":
            out.setdefault("volume", {})["nocopy"] = True
        elif option in _BIND_OPTIONS:
            key = "selinux" if option in ("z", "Z") else "propagation"
            out.setdefault("bind", {})[key] = option
        elif ignored is not None:
            ignored.append(option)
    return out


def _split_volume(text: str) -> tuple[str, str, list[str]]:
    """Split "src:dst:mode" on ':' as Compose does: (source, target, options)."""
    sections: list[str] = []
    buffer = ""
    for index, char in enumerate(text + "\0"):
        at_end = index == len(text)
        if char == ":" and len(buffer) == 1 and buffer.isalpha():
            buffer += char  # a Windows drive letter, "C:"
            continue
        if char == ":" or at_end:
            if buffer == "":
                raise Problem(f"{text!r} is not a valid volume: a section between ':' is empty",
                              'write "SOURCE:TARGET[:MODE]", e.g. "./data:/data:ro"')
            if len(sections) == 3 or (len(sections) == 2 and not at_end):
                raise Problem(f"{text!r} is not a valid volume: too many ':'",
                              'write "SOURCE:TARGET[:MODE]", e.g. "./data:/data:ro"')
            sections.append(buffer)
            buffer = ""
            continue
        buffer += char
    if len(sections) == 1:
        return "", sections[0], []
    options = sections[2].split(",") if len(sections) == 3 else []
    return sections[0], sections[1], options


def _is_path(source: str) -> bool:
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and source[0].isalpha() and source[1] == ":"


def is_windows_path(path: str) -> bool:
    return bool(re.match(r"^[A-Za-z]:[\\/]", path)) or path.startswith("\\\\")


def clean_path(path: str) -> str:
    """Lexical clean of a container path, as Go's path.Clean ("/a/b/" -> "/a/b")."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    return ("/" + cleaned) if rooted else (cleaned or ".")


def absolute_path(path: str, base: str | None, home: str | None = None) -> str:
    """Like Compose: `~` expands to HOME, an absolute path stays as written, a relative one is
    joined to `base` (and cleaned)."""
    if path.startswith("~"):
        home = home or os.path.expanduser("~")
        return os.path.normpath(os.path.join(home, path[1:].lstrip("/")))
    if path.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", path) or base is None:
        return path
    if path == "":
        return path
    return os.path.normpath(os.path.join(base, path))


def _mount(raw: dict[str, Any]) -> VolumeMount:
    bind = raw.get("bind") or {}
    volume = raw.get("volume") or {}
    tmpfs = raw.get("tmpfs") or {}
    size = tmpfs.get("size")
    mode = tmpfs.get("mode")
    return VolumeMount(
        type=raw["type"],
        source=str(raw["source"]) if raw.get("source") not in (None, "") else None,
        target=clean_path(str(raw["target"])),
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


def _command(value: Any, warn: Callable[[str], None] | None = None) -> list[str] | None:
    """command/entrypoint: a string is split into words as Compose splits it (shell_words)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [compose_string(v) or "" for v in value]
    from converter.load.shell_words import ShellWordsError, split

    try:
        words, ignored = split(str(value))
    except ShellWordsError as err:
        raise Problem(f"cannot split {value!r} into words: {err}",
                      "write it as a list, or as [sh, -c, '...'] to run a shell") from None
    if ignored and warn is not None:
        warn(f"{ignored!r} is ignored: Compose splits this string into words and stops at an "
             "unquoted ; & | < > (no shell runs it); write [sh, -c, '...'] to run a shell")
    return words


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
    for key in ("command", "entrypoint"):
        fields[key] = _at([key], lambda k=key: _command(
            get(k), lambda text, k=k: ctx.warnings.append(f"service {name!r}: {k}: {text}")))
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
    fields["ports"] = [PortMapping(**p) for p, _ in _unique_ports(get("ports"))]
    fields["expose"] = [str(e) for e in get("expose") or []]
    fields["volumes"] = [
        _at(["volumes", i], lambda i=i, e=e: _mount(_volume(name, i, e, ctx)))
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


def _unique_ports(written: Any) -> list[tuple[dict[str, Any], int]]:
    """Every port mapping with the index of the entry that wrote it; a later mapping with the
    same host ip, published port, target and protocol replaces an earlier one in its place
    (Compose keeps ports unique)."""
    out: list[tuple[dict[str, Any], int]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, entry in enumerate(written or []):
        for port in _at(["ports", index], lambda e=entry: port_entries(e)):
            identity = port_identity(port)
            if identity in seen:
                out[seen[identity]] = (port, index)
            else:
                seen[identity] = len(out)
                out.append((port, index))
    return out


def _volume(service: str, index: int, entry: Any, ctx: ServiceContext) -> dict[str, Any]:
    ignored: list[str] = []
    mount = volume_entry(entry, ctx.project_dir, ctx.home, ignored)
    for option in ignored:
        ctx.warnings.append(f"service {service!r}: volumes[{index}] option {option!r} is not a "
                            "volume option Compose knows; it is ignored (as Compose does)")
    return mount


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
        for index, (_, item_index) in enumerate(_unique_ports(written)):
            pos = written.pos[item_index] if item_index < len(written.pos) else None
            if pos:
                out[f"ports[{index}]"] = SourceRef(file=pos[0], line=pos[1])
    return dict(sorted(out.items()))
