"""Merge Compose trees by the specification's merge rules (compose-spec `13-merge.md`).

- mappings merge key by key, the later value winning for scalars;
- sequences append, except:
  * `command`, `entrypoint`, `healthcheck.test` are replaced;
  * `ports`, `volumes`, `secrets`, `configs` are "unique resources": an entry of the later file
    replaces the earlier entry with the same key (ports: host ip + target + published + protocol;
    volumes: target; secrets/configs: target, defaulting to the source);
  * list-or-map keys (`environment`, `labels`, `depends_on`, a service's `networks`, ...) are
    turned into mappings first and merged by key;
- `!reset` drops the earlier value, `!override` replaces it without merging.

Both inputs keep their positions; the result records where each surviving value was written.
"""

from __future__ import annotations

from typing import Any

from converter.load.yaml_reader import LMap, LSeq, Override, Reset, copy_tree

# Service keys whose list form is "KEY=VALUE" strings or a mapping: merged as mappings.
_KEY_VALUE_LISTS = {"environment", "labels", "annotations", "sysctls"}
_REPLACED = {"command", "entrypoint"}


def merge_projects(base: Any, override: Any) -> Any:
    """Merge two whole compose trees (top level)."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return _strip(copy_tree(override))
    out = _copy_map(base)
    for key, value in override.items():
        if isinstance(value, Reset):
            _drop(out, key)
            continue
        if isinstance(value, Override):
            _set(out, override, key, _strip(copy_tree(value.value)))
            continue
        if key == "services" and isinstance(value, dict) and isinstance(out.get(key), dict):
            services = _copy_map(out[key])
            for name, service in value.items():
                if isinstance(service, Reset):
                    _drop(services, name)
                elif isinstance(service, Override):
                    _set(services, value, name, _strip(copy_tree(service.value)))
                elif name in services and isinstance(services[name], dict) and isinstance(
                    service, dict
                ):
                    services[name] = merge_service(services[name], service)
                    _keep_pos(services, value, name)
                else:
                    _set(services, value, name, _strip(copy_tree(service)))
            out[key] = services
            _keep_pos(out, override, key)
        elif key in out:
            out[key] = _merge_generic(out[key], value)
            _keep_pos(out, override, key)
        else:
            _set(out, override, key, _strip(copy_tree(value)))
    return out


def merge_service(base: dict[str, Any], override: dict[str, Any]) -> LMap:
    """Merge one service definition over another (used for -f files and for `extends`)."""
    out = _copy_map(base)
    for key, value in override.items():
        if isinstance(value, Reset):
            _drop(out, key)
            continue
        if isinstance(value, Override):
            _set(out, override, key, _strip(copy_tree(value.value)))
            continue
        if key not in out or out[key] is None:
            _set(out, override, key, _strip(copy_tree(value)))
            continue
        old = out[key]
        if key in _REPLACED or value is None:
            merged: Any = _strip(copy_tree(value))
        elif key in _KEY_VALUE_LISTS:
            merged = _merge_maps(key_value_map(old), key_value_map(value))
        elif key == "depends_on":
            merged = _merge_maps(depends_map(old), depends_map(value))
        elif key == "networks":
            merged = _merge_maps(name_map(old), name_map(value))
        elif key == "extra_hosts":
            merged = _merge_maps(hosts_map(old), hosts_map(value))
        elif key == "build":
            merged = _merge_generic(build_map(old), build_map(value), path=("build",))
        elif key in ("ports", "volumes", "secrets", "configs", "expose"):
            merged = _merge_unique(old, value, key)
        elif key == "healthcheck" and isinstance(old, dict) and isinstance(value, dict):
            merged = _merge_generic(old, value, path=("healthcheck",))
        elif key == "logging" and isinstance(old, dict) and isinstance(value, dict):
            merged = _merge_logging(old, value)
        else:
            merged = _merge_generic(old, value, path=(key,))
        out[key] = merged
        _keep_pos(out, override, key)
    return out


def _merge_generic(old: Any, new: Any, path: tuple[str, ...] = ()) -> Any:
    if isinstance(new, Reset):
        return None
    if isinstance(new, Override):
        return _strip(copy_tree(new.value))
    if isinstance(old, dict) and isinstance(new, dict):
        out = _copy_map(old)
        for key, value in new.items():
            if isinstance(value, Reset):
                _drop(out, key)
            elif key in out and not (path == ("healthcheck",) and key == "test"):
                if path == ("build",) and key == "args":
                    out[key] = _merge_maps(key_value_map(out[key]), key_value_map(value))
                else:
                    out[key] = _merge_generic(out[key], value, (*path, str(key)))
                _keep_pos(out, new, key)
            else:
                _set(out, new, key, _strip(copy_tree(value)))
        return out
    if isinstance(old, list) and isinstance(new, list):
        return _concat(old, new)
    return _strip(copy_tree(new))


def _merge_maps(old: LMap, new: LMap) -> LMap:
    out = _copy_map(old)
    for key, value in new.items():
        if isinstance(value, Reset):
            _drop(out, key)
        elif key in out and isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = _merge_generic(out[key], value)
            _keep_pos(out, new, key)
        else:
            _set(out, new, key, _strip(copy_tree(value)))
    return out


def _merge_logging(old: dict[str, Any], new: dict[str, Any]) -> Any:
    # A different driver makes the old options meaningless: replace the whole block.
    if new.get("driver") not in (None, old.get("driver")):
        return _strip(copy_tree(new))
    return _merge_generic(old, new)


def _concat(old: list[Any], new: list[Any]) -> LSeq:
    out = LSeq([*copy_tree(old), *_strip(copy_tree(new))])
    out.pos = [*_positions(old), *_positions(new)]
    out.origin = getattr(old, "origin", None)
    return out


def _merge_unique(old: Any, new: Any, key: str) -> Any:
    if not isinstance(old, list) or not isinstance(new, list):
        return _strip(copy_tree(new))
    items: list[Any] = list(copy_tree(old))
    positions = _positions(old)
    for index, entry in enumerate(new):
        entry = _strip(copy_tree(entry))
        identity = unique_key(key, entry)
        for existing, item in enumerate(items):
            if identity is not None and unique_key(key, item) == identity:
                if isinstance(item, dict) and isinstance(entry, dict):
                    entry = _merge_generic(item, entry)
                items[existing] = entry
                positions[existing] = _positions(new)[index]
                break
        else:
            items.append(entry)
            positions.append(_positions(new)[index])
    out = LSeq(items)
    out.pos = positions
    out.origin = getattr(old, "origin", None)
    return out


def unique_key(kind: str, entry: Any) -> Any:
    """The identity of a ports/volumes/secrets/configs/expose entry for merging."""
    # Imported here: normalise imports merge helpers for the list-or-map conversions.
    from converter.load import normalize

    try:
        if kind == "ports":
            mappings = normalize.port_entries(entry)
            return tuple(
                (m.get("host_ip"), m["target"], m.get("published"), m.get("protocol", "tcp"))
                for m in mappings
            )
        if kind == "volumes":
            if isinstance(entry, dict):
                return entry.get("target")
            return normalize.volume_entry(entry, None)["target"]
        if kind in ("secrets", "configs"):
            if isinstance(entry, str):
                return entry
            if isinstance(entry, dict):
                return entry.get("target") or entry.get("source")
        if kind == "expose":
            return str(entry)
    except Exception:  # noqa: BLE001 - a malformed entry has no identity; schema reports it
        return None
    return None


def key_value_map(value: Any) -> LMap:
    """environment/labels list ("K=V", "K") or mapping -> mapping (None for "K")."""
    if isinstance(value, dict):
        return _copy_map(value)
    out = LMap()
    if isinstance(value, list):
        for index, item in enumerate(value):
            text = "" if item is None else str(item)
            name, sep, rest = text.partition("=")
            out[name] = rest if sep else None
            pos = _positions(value)[index]
            if pos:
                out.pos[name] = pos
        out.origin = getattr(value, "origin", None)
    return out


def depends_map(value: Any) -> LMap:
    if isinstance(value, dict):
        return _copy_map(value)
    out = LMap()
    if isinstance(value, list):
        for index, item in enumerate(value):
            out[str(item)] = LMap({"condition": "service_started"})
            pos = _positions(value)[index]
            if pos:
                out.pos[str(item)] = pos
    return out


def name_map(value: Any) -> LMap:
    """A service's `networks` as a mapping (a list of names means no options)."""
    if isinstance(value, dict):
        return _copy_map(value)
    out = LMap()
    if isinstance(value, list):
        for index, item in enumerate(value):
            out[str(item)] = None
            pos = _positions(value)[index]
            if pos:
                out.pos[str(item)] = pos
    return out


def hosts_map(value: Any) -> LMap:
    """extra_hosts as host -> list of addresses."""
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
            pos = _positions(value)[index]
            if pos:
                out.pos.setdefault(host, pos)
    return out


def build_map(value: Any) -> Any:
    if isinstance(value, str):
        return LMap({"context": value})
    return value


def _positions(value: Any) -> list[Any]:
    if isinstance(value, LSeq) and len(value.pos) == len(value):
        return list(value.pos)
    return [None] * len(value)


def _copy_map(value: dict[str, Any]) -> LMap:
    out = copy_tree(value)
    if not isinstance(out, LMap):
        out = LMap(out)
    return out


def _set(out: LMap, source: Any, key: Any, value: Any) -> None:
    out[key] = value
    _keep_pos(out, source, key)


def _keep_pos(out: LMap, source: Any, key: Any) -> None:
    if isinstance(source, LMap) and key in source.pos:
        out.pos[key] = source.pos[key]


def _drop(out: LMap, key: Any) -> None:
    out.pop(key, None)
    out.pos.pop(key, None)


def _strip(value: Any) -> Any:
    """Resolve tags left inside a value that has nothing to merge with."""
    if isinstance(value, Reset):
        return None
    if isinstance(value, Override):
        return _strip(value.value)
    if isinstance(value, dict):
        for key in list(value):
            item = value[key]
            if isinstance(item, Reset):
                value.pop(key)
                if isinstance(value, LMap):
                    value.pos.pop(key, None)
            else:
                value[key] = _strip(item)
        return value
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _strip(item)
        return value
    return value


def strip_tags(value: Any) -> Any:
    """Public: resolve `!reset`/`!override` in a tree that is not merged with anything."""
    return _strip(value)
