"""Merge Compose trees as Docker Compose does (compose-spec `13-merge.md`, as compose-go
implements it), and keep the unique-resource lists unique.

- mappings merge key by key; a scalar of the later file wins; a `null` in the later file keeps
  the earlier value;
- sequences append, leaving out entries equal to one already there;
- `command`, `entrypoint`, `healthcheck.test` are replaced;
- `dns`, `dns_opt`, `dns_search`, `env_file`, `label_file`, `extra_hosts`, `tmpfs`,
  `build.extra_hosts` may be a single string or a list: both become lists, then append;
- list-or-map keys (`environment`, `labels`, `annotations`, `sysctls`, `build.args`,
  `build.labels`, `build.additional_contexts`, `deploy.labels`, top-level `labels`) merge by key;
- `depends_on`, a service's `networks` and `models` merge as mappings (a list entry is a key);
- `logging` with another driver replaces the block; `ulimits.X` merges only mapping with mapping;
- `!reset` drops the earlier value, `!override` replaces it without merging.

Then `enforce_unicity` (after every file, as compose-go's EnforceUnicity): in the lists Compose
treats as sets or keyed lists, a later entry with the same key replaces the earlier one in its
place (`cap_add`, `dns`, `links`, `profiles`, `expose`, `tmpfs`, `volumes` by target, `secrets` /
`configs` by target, `env_file` by path, `devices` by target, key=value lists by key, ...).
Ports are made unique as written here, and again once expanded to one mapping per container
port (service.py).

Both inputs keep their positions; the result records where each surviving value was written.
"""

from __future__ import annotations

from typing import Any

from converter.errors import LoadError
from converter.load.short_syntax import (
    as_mapping,
    build_map,
    clean_path,
    copy_map,
    item_positions,
    key_value_map,
    volume_entry,
)
from converter.load.yaml_reader import LMap, LSeq, Override, Reset, copy_tree, format_path

_REPLACED = {"command", "entrypoint"}
_TO_SEQUENCE = {"dns", "dns_opt", "dns_search", "env_file", "label_file", "extra_hosts", "tmpfs"}
_KEY_VALUE = {"environment", "labels", "annotations", "sysctls"}
_AS_MAPPING = {"depends_on", "networks", "models"}
_BUILD_KEY_VALUE = {"args", "labels", "additional_contexts"}
_TOP_LEVEL_KINDS = ("networks", "volumes", "secrets", "configs")


def merge_projects(base: Any, override: Any) -> Any:
    """Merge two whole compose trees (top level), then keep unique lists unique."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return _strip(copy_tree(override))
    out = copy_map(base)
    for key, value in override.items():
        if isinstance(value, Reset):
            _drop(out, key)
            continue
        if isinstance(value, Override):
            _set(out, override, key, _strip(copy_tree(value.value)))
            continue
        if key not in out:
            _set(out, override, key, _strip(copy_tree(value)))
            continue
        if key == "services" and isinstance(value, dict) and isinstance(out.get(key), dict):
            services = copy_map(out[key])
            for name, service in value.items():
                if isinstance(service, Reset):
                    _drop(services, name)
                elif isinstance(service, Override):
                    _set(services, value, name, _strip(copy_tree(service.value)))
                elif name in services and isinstance(services[name], dict) and isinstance(
                        service, dict):
                    services[name] = merge_service(services[name], service, name)
                    _keep_pos(services, value, name)
                elif name in services and service is None:
                    continue
                else:
                    _set(services, value, name, _strip(copy_tree(service)))
            out[key] = services
        else:
            out[key] = _merge(out[key], value, (str(key),))
        _keep_pos(out, override, key)
    return enforce_unicity(out)


def merge_service(base: dict[str, Any], override: dict[str, Any], name: str = "*") -> LMap:
    """Merge one service definition over another (used for -f files and for `extends`)."""
    return _merge_mappings(copy_map(base), override, ("services", name))


def _merge(old: Any, new: Any, path: tuple[str, ...]) -> Any:
    """compose-go's MergeYaml: the special rule for `path`, else by type."""
    if isinstance(new, Reset):
        return None
    if isinstance(new, Override):
        return _strip(copy_tree(new.value))
    special = _special_merge(old, new, path)
    if special is not _NOT_SPECIAL:
        return special
    if new is None:
        return old
    if isinstance(old, dict):
        if not isinstance(new, dict):
            raise _cannot_merge(path, new)
        return _merge_mappings(copy_map(old), new, path)
    if isinstance(old, list):
        if not isinstance(new, list):
            raise _cannot_merge(path, new)
        return _append_without_duplicates(old, new)
    return _strip(copy_tree(new))


_NOT_SPECIAL = object()


def _special_merge(old: Any, new: Any, path: tuple[str, ...]) -> Any:
    depth = len(path)
    if depth == 3 and path[0] in ("services", "jobs"):
        key = path[2]
        if key in _REPLACED:
            return _strip(copy_tree(new))
        if key in _TO_SEQUENCE:
            return _append_without_duplicates(to_sequence(old), to_sequence(new))
        if key in _KEY_VALUE:
            return _merge_key_value(old, new)
        if key in _AS_MAPPING:
            return _merge_as_mapping(old, new, path)
        if key == "build":
            return _merge_mappings(build_map(old), build_map(new) or LMap(), path)
        if key == "logging":
            return _merge_logging(old, new, path)
        return _NOT_SPECIAL
    if depth == 4 and path[0] in ("services", "jobs"):
        if path[2] == "healthcheck" and path[3] == "test":
            return _strip(copy_tree(new))
        if path[2] == "build" and path[3] in _BUILD_KEY_VALUE:
            return _merge_key_value(old, new)
        if path[2] == "build" and path[3] == "extra_hosts":
            return _append_without_duplicates(to_sequence(old), to_sequence(new))
        if path[2] == "deploy" and path[3] == "labels":
            return _merge_key_value(old, new)
        if path[2] == "ulimits":
            if isinstance(old, dict) and isinstance(new, dict):
                return _merge_mappings(copy_map(old), new, path)
            return _strip(copy_tree(new))
        return _NOT_SPECIAL
    if depth == 3 and path[0] in _TOP_LEVEL_KINDS and path[2] == "labels":
        return _merge_key_value(old, new)
    return _NOT_SPECIAL


def _cannot_merge(path: tuple[str, ...], new: Any) -> LoadError:
    where = format_path(list(path))
    pos = getattr(new, "origin", None)
    return LoadError(f"cannot merge {where}: the later file gives it another kind of value",
                     file=pos[0] if pos else None, line=pos[1] if pos else None, key_path=where,
                     hint="write it the same way (a mapping or a list) in every file, or tag "
                     "the later value with !override")


def _merge_mappings(out: LMap, new: dict[str, Any], path: tuple[str, ...]) -> LMap:
    for key, value in new.items():
        if isinstance(value, Reset):
            _drop(out, key)
        elif isinstance(value, Override):
            _set(out, new, key, _strip(copy_tree(value.value)))
        elif key not in out:
            _set(out, new, key, _strip(copy_tree(value)))
        else:
            out[key] = _merge(out[key], value, (*path, str(key)))
            _keep_pos(out, new, key)
    return out


def _merge_key_value(old: Any, new: Any) -> LMap:
    out = key_value_map(old)
    for key, value in key_value_map(new).items():
        _set(out, new if isinstance(new, LMap) else _positions_map(new), key,
             None if isinstance(value, Reset) else _strip(copy_tree(value)))
        if isinstance(value, Reset):
            _drop(out, key)
    return out


def _merge_as_mapping(old: Any, new: Any, path: tuple[str, ...]) -> LMap:
    defaults = {"condition": "service_started", "required": True} if path[-1] == "depends_on" \
        else None
    return _merge_mappings(as_mapping(old, defaults), as_mapping(new, defaults), path)


def _merge_logging(old: Any, new: Any, path: tuple[str, ...]) -> Any:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return _strip(copy_tree(new)) if new is not None else old
    # Another driver makes the old options meaningless: the block is replaced.
    if "driver" in new and "driver" in old and new["driver"] != old["driver"]:
        return _strip(copy_tree(new))
    return _merge_mappings(copy_map(old), new, path)


def _append_without_duplicates(old: Any, new: Any) -> LSeq:
    old_items = old if isinstance(old, list) else []
    out = LSeq(copy_tree(old_items))
    out.pos = item_positions(old_items)
    out.origin = getattr(old, "origin", None) or getattr(new, "origin", None)
    plain_items = [_plain(v) for v in out]
    new_items = new if isinstance(new, list) else []
    for index, item in enumerate(new_items):
        item = _strip(copy_tree(item))
        if _plain(item) in plain_items:
            continue
        out.append(item)
        out.pos.append(item_positions(new_items)[index])
        plain_items.append(_plain(item))
    return out


def to_sequence(value: Any) -> Any:
    """A string-or-list key (`dns`, `tmpfs`, `env_file`, ...) as a list; a mapping (extra_hosts)
    as sorted `key=value` strings, as Compose turns it for merging."""
    if isinstance(value, str):
        seq = LSeq([value])
        seq.pos = [None]
        return seq
    if isinstance(value, dict):
        entries: list[str] = []
        for key, item in value.items():
            if item is None:
                entries.append(str(key))
            elif isinstance(item, list):
                entries.extend(f"{key}={_text(v)}" for v in item)
            else:
                entries.append(f"{key}={_text(item)}")
        return LSeq(sorted(entries))
    return value if isinstance(value, list) else LSeq()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------- unicity


def enforce_unicity(tree: Any) -> Any:
    """Keep the lists Compose treats as sets or keyed lists unique, in every service."""
    if not isinstance(tree, dict):
        return tree
    for kind in ("services", "jobs"):
        services = tree.get(kind)
        if isinstance(services, dict):
            for service in services.values():
                if isinstance(service, dict):
                    _unique_service(service)
    networks = tree.get("networks")
    if isinstance(networks, dict):
        for network in networks.values():
            if isinstance(network, dict):
                _unique_key(network, "labels", _key_of)
                ipam = network.get("ipam")
                if isinstance(ipam, dict):
                    _unique_key(ipam, "options", _key_of)
    return tree


_KEYED_LISTS = ("annotations", "cap_add", "cap_drop", "dns", "dns_opt", "dns_search",
                "environment", "labels", "links", "profiles", "sysctls", "tmpfs")


def _unique_service(service: dict[str, Any]) -> None:
    for key in _KEYED_LISTS:
        _unique_key(service, key, _key_of)
    _unique_key(service, "expose", lambda v: str(v))
    _unique_key(service, "ports", _port_written)
    _unique_key(service, "volumes", _volume_target)
    _unique_key(service, "secrets", lambda v: _mount_target(v, "/run/secrets"))
    _unique_key(service, "configs", lambda v: _mount_target(v, ""))
    _unique_key(service, "env_file", _env_file_path)
    _unique_key(service, "devices", _device_target)
    build = service.get("build")
    if isinstance(build, dict):
        for key in ("args", "additional_contexts", "tags", "labels"):
            _unique_key(build, key, _key_of)
    deploy = service.get("deploy")
    if isinstance(deploy, dict):
        _unique_key(deploy, "labels", _key_of)
    networks = service.get("networks")
    if isinstance(networks, dict):
        for spec in networks.values():
            if isinstance(spec, dict):
                _unique_key(spec, "aliases", _key_of)
                _unique_key(spec, "link_local_ips", _key_of)


def _unique_key(mapping: dict[str, Any], key: str, identity: Any) -> None:
    value = mapping.get(key)
    if not isinstance(value, list) or len(value) < 2:
        return
    positions = item_positions(value)
    items: list[Any] = []
    kept: list[Any] = []
    seen: dict[Any, int] = {}
    for index, entry in enumerate(value):
        try:
            ident = identity(entry)
        except Exception:  # noqa: BLE001 - a malformed entry has no identity; the schema reports it
            ident = ("unkeyed", index)
        if ident in seen:
            items[seen[ident]] = entry
            kept[seen[ident]] = positions[index]
        else:
            seen[ident] = len(items)
            items.append(entry)
            kept.append(positions[index])
    if len(items) != len(value):
        out = LSeq(items)
        out.pos = kept
        out.origin = getattr(value, "origin", None)
        mapping[key] = out


def _key_of(entry: Any) -> Any:
    if isinstance(entry, str):
        return entry.partition("=")[0]
    return ("other", repr(_plain(entry)))


def _port_written(entry: Any) -> Any:
    """A port as written (identical entries are one); the expanded mappings are made unique
    again after ranges are expanded (service.py)."""
    if isinstance(entry, dict):
        return (entry.get("host_ip") or "0.0.0.0", str(entry.get("published")),
                str(entry.get("target")), entry.get("protocol") or "tcp")
    return str(entry)


def _volume_target(entry: Any) -> Any:
    if isinstance(entry, dict):
        return clean_path(str(entry.get("target")))
    return clean_path(volume_entry(entry)["target"])


def _mount_target(entry: Any, default_dir: str) -> Any:
    if isinstance(entry, str):
        return f"{default_dir}/{entry}"
    if isinstance(entry, dict):
        if entry.get("target") is not None:
            return str(entry["target"])
        return f"{default_dir}/{entry.get('source')}"
    return ("other", repr(entry))


def _env_file_path(entry: Any) -> Any:
    if isinstance(entry, dict):
        return str(entry.get("path"))
    return str(entry)


def _device_target(entry: Any) -> Any:
    if isinstance(entry, dict):
        return str(entry.get("target"))
    parts = str(entry).split(":")
    return parts[0] if len(parts) == 1 else parts[1]


# ---------------------------------------------------------------- helpers


def _positions_map(value: Any) -> LMap:
    """Positions of a key=value list, by key (for _set)."""
    return key_value_map(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
    """Public: resolve `!reset`/`!override` in a tree that is not merged with anything, and
    keep its unique lists unique."""
    return enforce_unicity(_strip(value))
