"""Compose's short syntaxes, read as Compose reads them: `ports` entries, `volumes` entries
and the paths in them, and the keys that may be a list or a mapping (`environment`, `labels`,
`depends_on`, `networks`, `extra_hosts`, `build`). Pure: no files, no environment; merging
(merge.py) and building the model (service.py) both use it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from converter.load.problems import Problem
from converter.load.yaml_reader import LMap, LSeq, copy_tree

_PROTOCOLS = ("tcp", "udp", "sctp")
_PROPAGATION = {"shared", "rshared", "slave", "rslave", "private", "rprivate"}
_BIND_OPTIONS = _PROPAGATION | {"z", "Z"}


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


# ---------------------------------------------------------------- volumes and paths


def volume_entry(entry: Any, ignored: list[str] | None = None) -> dict[str, Any]:
    """One `volumes` entry (short "src:dst:mode" or long mapping) -> a long-syntax dict, the
    source as written (host_paths.py makes a bind source a host path).

    The short syntax is read as Compose reads it: a one-letter section followed by ':' is a
    Windows drive; an empty section is an error; options other than ro, rw, nocopy, z, Z and
    the propagations are ignored (listed in `ignored` when given)."""
    if isinstance(entry, dict):
        out = dict(entry)
        if "target" not in out or not out["target"]:
            raise Problem("a long-syntax volume needs `target` (the path in the container)")
        if "type" not in out:
            raise Problem("a long-syntax volume needs `type` (volume, bind, tmpfs, ...)")
        return out
    text = str(entry)
    if text == "":
        raise Problem("the volume is empty", 'write "SOURCE:TARGET[:MODE]", e.g. "./data:/data:ro"')
    if len(text) <= 2:
        return {"type": "volume", "target": text}
    source, target, options = _split_volume(text)
    out: dict[str, Any] = {"target": target}
    if is_host_path(source):
        out["type"] = "bind"
        out["source"] = source
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

def is_host_path(source: str) -> bool:
    """Does a short-syntax volume source name a host path (a bind) rather than a volume?"""
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and source[0].isalpha() and source[1] == ":"

def is_windows_path(path: str) -> bool:
    """A Windows host path (`C:\\data`, `c:/data`, `\\\\server\\share`): kept as written."""
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


# ---------------------------------------------------------------- list-or-map keys


def key_value_map(value: Any) -> LMap:
    """environment/labels list ("K=V", "K") or mapping -> mapping (None for "K")."""
    if isinstance(value, dict):
        return copy_map(value)
    out = LMap()
    if isinstance(value, list):
        for index, item in enumerate(value):
            text = "" if item is None else str(item)
            name, sep, rest = text.partition("=")
            out[name] = rest if sep else None
            pos = item_positions(value)[index]
            if pos:
                out.pos[name] = pos
        out.origin = getattr(value, "origin", None)
    return out

def depends_map(value: Any) -> LMap:
    return as_mapping(value, {"condition": "service_started", "required": True}) if not \
        isinstance(value, dict) else copy_map(value)

def name_map(value: Any) -> LMap:
    """A service's `networks` as a mapping (a list of names means no options)."""
    return as_mapping(value, None)

def hosts_map(value: Any) -> LMap:
    """extra_hosts as host -> list of addresses, in the order written."""
    out = LMap()
    if isinstance(value, dict):
        for host, addresses in value.items():
            out[str(host)] = LSeq(
                [str(a) for a in addresses] if isinstance(addresses, list) else [str(addresses)]
            )
            if isinstance(value, LMap) and host in value.pos:
                out.pos[str(host)] = value.pos[host]
        return out
    if isinstance(value, list):
        for index, item in enumerate(value):
            text = str(item)
            sep = "=" if "=" in text else ":"
            host, _, address = text.partition(sep)
            existing = out.get(host)
            out[host] = LSeq([*(existing or []), address])
            pos = item_positions(value)[index]
            if pos:
                out.pos.setdefault(host, pos)
    return out

def build_map(value: Any) -> Any:
    if isinstance(value, str):
        return LMap({"context": value})
    if value is None:
        return LMap()
    return copy_map(value) if isinstance(value, dict) else value

def as_mapping(value: Any, defaults: dict[str, Any] | None) -> LMap:
    """A list of names (or one name) as a mapping of name -> `defaults`; a mapping copied."""
    if value is None:
        return LMap()
    if isinstance(value, dict):
        return copy_map(value)
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    out = LMap()
    for index, item in enumerate(items):
        out[str(item)] = LMap(defaults) if defaults is not None else None
        pos = item_positions(items)[index] if isinstance(value, list) else None
        if pos:
            out.pos[str(item)] = pos
    out.origin = getattr(value, "origin", None)
    return out

def copy_map(value: dict[str, Any]) -> LMap:
    """A deep copy of a mapping, with its positions."""
    out = copy_tree(value)
    if not isinstance(out, LMap):
        out = LMap(out)
    return out

def item_positions(value: Any) -> list[Any]:
    """Where each item of a list was written (None where unknown)."""
    if isinstance(value, LSeq) and len(value.pos) == len(value):
        return list(value.pos)
    return [None] * len(value)
