"""What Docker Compose derives from a merged project before it checks it (compose-go's
`Normalize` and extension aliases), done on the raw tree so that every later step (cycles,
references, profiles, the model) sees it:

- implied dependencies: `links`, `network_mode` / `ipc` / `pid` / `uts` / `cgroup: service:X`
  and `volumes_from` make the service depend on X (condition service_started, required; restart
  true except for volumes_from), unless depends_on already names X;
- `build.args` entries without a value take the project environment's value, and are dropped
  when it has none;
- `pull_policy: if_not_present` is `missing`;
- `develop`: `x-develop` is `develop`, `x-initialSync` is `initial_sync`, `include` / `ignore`
  strings are lists, `exec.command` strings are split into words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from converter.load.shell_words import ShellWordsError, split
from converter.load.short_syntax import depends_map, key_value_map
from converter.load.yaml_reader import LMap, LSeq, Override, Reset, key_pos

_NAMESPACES = ("network_mode", "ipc", "pid", "uts", "cgroup")


def _service_mappings(tree: Any) -> Iterator[dict[str, Any]]:
    """The service definitions of a compose tree that are mappings (the schema reports the rest)."""
    services = tree.get("services") if isinstance(tree, dict) else None
    for service in services.values() if isinstance(services, dict) else []:
        if isinstance(service, dict):
            yield service


def promote_aliases(tree: Any) -> None:
    """`x-develop` -> `develop`, `develop.watch[].x-initialSync` -> `initial_sync` (per file,
    before merging; the written key wins over the alias)."""
    for service in _service_mappings(tree):
        _promote(service, "x-develop", "develop")
        develop = service.get("develop")
        watch = develop.get("watch") if isinstance(develop, dict) else None
        for trigger in watch if isinstance(watch, list) else []:
            if isinstance(trigger, dict):
                _promote(trigger, "x-initialSync", "initial_sync")


def _promote(mapping: dict[str, Any], alias: str, key: str) -> None:
    if alias not in mapping:
        return
    value = mapping.pop(alias)
    pos = mapping.pos.pop(alias, None) if isinstance(mapping, LMap) else None
    if mapping.get(key) is None:
        mapping[key] = value
        if pos and isinstance(mapping, LMap):
            mapping.pos[key] = pos
    elif isinstance(value, dict) and isinstance(mapping[key], dict):
        merged = LMap(value)
        merged.update(mapping[key])
        mapping[key] = merged


def normalise_services(tree: Any, lookup: Callable[[str], str | None]) -> None:
    for service in _service_mappings(tree):
        if service.get("pull_policy") == "if_not_present":
            service["pull_policy"] = "missing"
        build = service.get("build")
        if isinstance(build, dict) and build.get("args") is not None:
            build["args"] = _resolved_args(build["args"], lookup)
        _add_implied_dependencies(service)
        develop = service.get("develop")
        if isinstance(develop, dict):
            _normalise_develop(develop)


def _resolved_args(args: Any, lookup: Callable[[str], str | None]) -> Any:
    if not isinstance(args, (dict, list)):
        return args
    out = LMap()
    for key, value in key_value_map(args).items():
        if isinstance(value, (Reset, Override)):
            continue
        if value is None:
            value = lookup(str(key))
            if value is None:
                continue  # an argument without a value anywhere is left out, as in Compose
        out[key] = value
    out.pos = dict(key_value_map(args).pos)
    out.origin = getattr(args, "origin", None)
    return out


def _add_implied_dependencies(service: dict[str, Any]) -> None:
    existing = service.get("depends_on")
    implied: list[tuple[str, bool, Any]] = []  # (service, restart, where it was written)
    links = service.get("links")
    for index, link in enumerate(links if isinstance(links, list) else []):
        parts = str(link).split(":")
        pos = links.pos[index] if isinstance(links, LSeq) and index < len(links.pos) else None
        implied.append((parts[0] if len(parts) == 2 else str(link), True, pos))
    for key in _NAMESPACES:
        value = service.get(key)
        if isinstance(value, str) and value.startswith("service:"):
            implied.append((value[len("service:"):], True, key_pos(service, key)))
    volumes_from = service.get("volumes_from")
    for index, source in enumerate(volumes_from if isinstance(volumes_from, list) else []):
        text = str(source)
        if not text.startswith("container:"):
            pos = (volumes_from.pos[index] if isinstance(volumes_from, LSeq)
                   and index < len(volumes_from.pos) else None)
            implied.append((text.split(":")[0], False, pos))
    if not implied:
        return
    depends = depends_map(existing) if existing is not None else LMap()
    if existing is None:
        depends.origin = None
    for name, restart, pos in implied:
        if name in depends:
            continue
        depends[name] = LMap({"condition": "service_started", "restart": restart,
                              "required": True})
        if pos:
            depends.pos[name] = pos
    service["depends_on"] = depends


def _normalise_develop(develop: dict[str, Any]) -> None:
    watch = develop.get("watch")
    for trigger in watch if isinstance(watch, list) else []:
        if not isinstance(trigger, dict):
            continue
        for key in ("include", "ignore"):
            if isinstance(trigger.get(key), str):
                trigger[key] = LSeq([trigger[key]])
        hook = trigger.get("exec")
        if isinstance(hook, dict) and isinstance(hook.get("command"), str):
            try:
                hook["command"] = LSeq(split(hook["command"])[0])
            except ShellWordsError:
                pass  # left as written; the schema accepts it and nothing here runs it
