"""Profiles, and the checks that tie services together: depends_on cycles, references to
undefined or disabled services, networks, volumes, secrets and configs."""

from __future__ import annotations

from typing import Any

from converter.errors import LoadError
from converter.load.problems import Problem
from converter.load.short_syntax import depends_map, name_map, volume_entry
from converter.load.yaml_reader import format_path, locate
from converter.model.depends import depends_on_cycle


def _error(tree: Any, path: list[Any], message: str, hint: str) -> LoadError:
    pos = locate(tree, path)
    return LoadError(message, file=pos[0] if pos else None, line=pos[1] if pos else None,
                     key_path=format_path(path), hint=hint)


def check_cycles(tree: Any) -> None:
    """depends_on must form no cycle (model/depends.py), reported at the entry that closes it."""
    services = tree.get("services") or {}
    graph = {
        str(name): [str(d) for d in depends_map((spec or {}).get("depends_on") or [])]
        for name, spec in services.items() if isinstance(spec, dict) or spec is None
    }
    cycle = depends_on_cycle(graph)
    if cycle:
        raise _error(tree, ["services", cycle[-2], "depends_on", cycle[-1]],
                     "depends_on cycle: " + " -> ".join(cycle),
                     "remove one of these dependencies; Compose cannot start a cycle")


def select_profiles(
    services: Any, enabled: set[str], warnings: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """Split services into active and disabled by profile. `*` enables every profile."""
    active: dict[str, Any] = {}
    disabled: list[str] = []
    for name, spec in services.items():
        profiles = [str(p) for p in ((spec or {}).get("profiles") or [])] if isinstance(
            spec, dict) else []
        if not profiles or "*" in enabled or enabled.intersection(profiles):
            active[str(name)] = spec
        else:
            disabled.append(str(name))
    unknown = enabled - {"*"} - {
        str(p) for spec in services.values() if isinstance(spec, dict)
        for p in (spec.get("profiles") or [])
    }
    for profile in sorted(unknown):
        warnings.append(f"profile {profile!r} is enabled but no service uses it")
    return active, disabled


def check_references(
    tree: Any, active: dict[str, Any], disabled: list[str], warnings: list[str]
) -> None:
    """Every service, network, volume, secret and config an active service names must exist
    (and, for services, be enabled: the spec says a reference never enables a profile), as
    Docker Compose requires. An optional dependency (`required: false`) on a service disabled by
    its profiles is kept and simply not waited for."""
    all_services = tree.get("services") or {}
    declared = {kind: set(map(str, tree.get(kind) or {}))
                for kind in ("networks", "volumes", "secrets", "configs")}
    for name, spec in active.items():
        if not isinstance(spec, dict):
            continue
        base = ["services", name]
        for index, link in enumerate(spec.get("links") or []):
            parts = str(link).split(":")
            target = parts[0] if len(parts) == 2 else str(link)
            _check_service_ref(tree, [*base, "links", index], target, all_services, disabled,
                               required=True, verb="links to")
        for key in ("network_mode", "ipc", "pid", "uts", "cgroup"):
            value = spec.get(key)
            if isinstance(value, str) and value.startswith("service:"):
                _check_service_ref(tree, [*base, key], value[len("service:"):], all_services,
                                   disabled, required=True, verb=f"uses the {key} of")
        for index, source in enumerate(spec.get("volumes_from") or []):
            text = str(source)
            if text.startswith("container:"):
                continue
            _check_service_ref(tree, [*base, "volumes_from", index], text.split(":")[0],
                               all_services, disabled, required=True, verb="mounts the volumes of")
        for dep, dep_spec in depends_map(spec.get("depends_on") or []).items():
            required = (dep_spec or {}).get("required", True) not in (False, "false")
            if str(dep) in disabled and not required:
                continue
            _check_service_ref(tree, [*base, "depends_on", dep], str(dep), all_services,
                               disabled, required=True, verb="depends on")
        networks = name_map(spec.get("networks") or [])
        if spec.get("network_mode") is not None and networks:
            raise _error(tree, [*base, "networks"],
                         f"service {name!r} sets both `network_mode` and `networks`, which "
                         "exclude each other",
                         "keep one: `network_mode` shares another network stack, `networks` "
                         "joins Compose networks")
        for network in networks:
            if str(network) != "default" and str(network) not in declared["networks"]:
                raise _error(tree, [*base, "networks", network],
                             f"service {name!r} uses network {network!r}, which is not defined",
                             f"declare it under the top-level `networks:` (e.g. {network}: {{}})")
        for index, entry in enumerate(spec.get("volumes") or []):
            try:
                mount = volume_entry(entry)
            except Problem as problem:
                raise _error(tree, [*base, "volumes", index], problem.message,
                             problem.hint or "fix the volume") from None
            source = mount.get("source")
            if mount.get("type") == "volume" and source and str(source) not in declared["volumes"]:
                raise _error(tree, [*base, "volumes", index],
                             f"service {name!r} uses volume {source!r}, which is not defined",
                             f"declare it under the top-level `volumes:` (e.g. {source}: {{}}), "
                             "or write a path (./dir) for a bind mount")
        for kind in ("secrets", "configs"):
            for index, entry in enumerate(spec.get(kind) or []):
                source = entry if isinstance(entry, str) else (entry or {}).get("source")
                if source is not None and str(source) not in declared[kind]:
                    raise _error(tree, [*base, kind, index],
                                 f"service {name!r} uses {kind[:-1]} {source!r}, which is not "
                                 "defined", f"add it under the top-level `{kind}:`")
        build = spec.get("build")
        if isinstance(build, dict):
            for index, entry in enumerate(build.get("secrets") or []):
                source = entry if isinstance(entry, str) else (entry or {}).get("source")
                if source is not None and str(source) not in declared["secrets"]:
                    raise _error(tree, [*base, "build", "secrets", index],
                                 f"service {name!r} builds with secret {source!r}, which is not "
                                 "defined", "add it under the top-level `secrets:`")
            contexts = build.get("additional_contexts")
            for key, value in (contexts.items() if isinstance(contexts, dict) else []):
                if isinstance(value, str) and value.startswith("service:"):
                    target = value[len("service:"):]
                    other = all_services.get(target)
                    if target not in all_services:
                        raise _error(tree, [*base, "build", "additional_contexts", key],
                                     f"service {name!r} uses the unknown service {target!r} as "
                                     f"build context {key!r}", "fix the service name")
                    if not isinstance(other, dict) or other.get("build") is None:
                        raise _error(tree, [*base, "build", "additional_contexts", key],
                                     f"service {name!r} uses service {target!r}, which is not "
                                     f"built, as build context {key!r}",
                                     f"give {target} a `build:` or use another context")


def _check_service_ref(
    tree: Any, path: list[Any], target: str, services: Any, disabled: list[str],
    *, required: bool, verb: str,
) -> None:
    owner = path[1]
    if target not in services:
        if not required:
            return
        available = ", ".join(sorted(map(str, services)))
        raise _error(tree, path, f"service {owner!r} {verb} {target!r}, which is not defined",
                     f"fix the name; services: {available}")
    if target in disabled and required:
        profiles = ", ".join(str(p) for p in (services[target] or {}).get("profiles") or [])
        raise _error(tree, path,
                     f"service {owner!r} {verb} {target!r}, which is disabled by its profiles "
                     f"({profiles})",
                     f"enable it with --profile {profiles.split(', ')[0]} (or COMPOSE_PROFILES), "
                     "or give both services the same profile")
