"""The loading pipeline, in Compose's documented order.

For each compose file: read YAML (with lines) -> interpolate -> make relative paths absolute ->
`include` -> `extends`. Then merge the files, validate against the schema, apply profiles,
check references and cycles, normalise to long syntax and build the typed `Project`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from converter.errors import LoadError
from converter.load.options import LoadOptions
from converter.load.discovery import (
    Environment,
    check_project_name,
    find_default_files,
    load_environment,
    normalise_project_name,
    read_text,
    split_compose_file,
)
from converter.load.canonical import normalise_services, promote_aliases
from converter.load.consistency import check_services, check_top_level
from converter.load.host_paths import HostPaths, inspect_paths, value_file
from converter.load.interpolate import InterpolationProblem, UnsetUse, interpolate_tree, substitute
from converter.load.merge import merge_projects, merge_service, strip_tags
from converter.load.objects import build_file_objects, build_networks, build_volumes
from converter.load.problems import Problem, raise_all
from converter.load.references import check_cycles, check_references, select_profiles
from converter.load.schema import check_legacy_and_empty, validate
from converter.load.service import ServiceContext, build_service
from converter.load.short_syntax import is_windows_path, volume_entry
from converter.load.yaml_reader import LMap, LSeq, format_path, key_pos, locate, plain, read_yaml
from converter.model.project import Project, VariableUse


@dataclass
class _Context:
    env: dict[str, str]
    paths: HostPaths  # how the written paths became host paths
    warnings: list[str] = field(default_factory=list)
    include_stack: list[str] = field(default_factory=list)
    extends_cache: dict[str, Any] = field(default_factory=dict)
    parsed: dict[str, Any] = field(default_factory=dict)  # -f files already read for `name:`
    unset: list[UnsetUse] = field(default_factory=list)  # where unset variables became ""


def load(options: LoadOptions) -> Project:
    warnings: list[str] = []
    cwd = os.path.abspath(options.cwd)
    environ = options.environ
    project_dir_opt = (
        os.path.normpath(os.path.join(cwd, options.project_directory))
        if options.project_directory else None
    )
    env_files = [os.path.normpath(os.path.join(cwd, f)) for f in options.env_files]

    # The .env next to where we look for files may itself set COMPOSE_FILE.
    # Compose always defines PWD: the shell's when it is used, else the working directory; the
    # env files see it and cannot change it.
    fixed = {"PWD": (environ.get("PWD") if options.use_shell_env else None) or cwd}
    early = load_environment(env_files, project_dir_opt or cwd, environ,
                             options.use_shell_env, [], fixed=fixed)
    files = _compose_files(options, cwd, project_dir_opt, early, warnings)
    project_dir = project_dir_opt or os.path.dirname(files[0])
    env = load_environment(env_files, project_dir, environ, options.use_shell_env, warnings,
                           fixed=fixed)

    # The name is known before interpolation (Compose offers it as ${COMPOSE_PROJECT_NAME}).
    parsed: dict[str, Any] = {}
    name = _project_name(options, env, _declared_name(files, env, parsed), project_dir)
    env.values.setdefault("COMPOSE_PROJECT_NAME", name)
    ctx = _Context(env=env.values, paths=HostPaths(environ.get("HOME")), warnings=warnings, parsed=parsed)
    tree: Any = None
    for path in files:
        loaded = _load_file(path, project_dir, ctx)
        if loaded is None:
            continue  # an empty file adds nothing (Compose refuses only an empty project)
        tree = strip_tags(loaded) if tree is None else merge_projects(tree, loaded)
    if not tree:
        raise LoadError("the compose file is empty" if len(files) == 1 else
                        "the compose files are empty", file=files[0],
                        hint="add a top-level `services:` mapping with at least one service")
    if "version" in tree:
        warnings.append("the top-level `version` key is obsolete and ignored")
    validate(tree, files[0])
    normalise_services(tree, env.values.get)

    services_raw = tree.get("services") or LMap()
    enabled = _profiles(options, env)
    check_cycles(tree)
    active, disabled = select_profiles(services_raw, enabled, warnings)
    check_references(tree, active, disabled, warnings)

    service_ctx = ServiceContext(lookup=env.values.get, warnings=warnings,
                                 locate=lambda path: value_file(path, ctx.paths, project_dir))
    services = {}
    problems: list[LoadError] = []
    for service_name in sorted(active):
        raw = active[service_name]
        try:  # every service is checked, so that `validate` can list all problems
            _check_has_image(service_name, raw, tree)
            services[service_name] = build_service(service_name, raw, service_ctx, tree)
        except LoadError as err:
            problems.append(err)
    raise_all(problems)
    services = _add_default_network(services)
    raise_all(check_services(tree, services) + check_top_level(tree))
    used = used_resources(services)
    networks = build_networks(tree, services)
    project_fields: dict[str, Any] = {
        "name": name,
        "working_dir": project_dir,
        "files": files,
        "services": services,
        # Like Compose, only what the enabled services use is part of the project.
        "networks": {k: v for k, v in networks.items() if k in used["networks"]},
        "volumes": {k: v for k, v in build_volumes(tree).items() if k in used["volumes"]},
        "secrets": {k: v for k, v in build_file_objects(tree, "secrets", env.values, warnings)
                    .items() if k in used["secrets"]},
        "configs": {k: v for k, v in build_file_objects(tree, "configs", env.values, warnings)
                    .items() if k in used["configs"]},
        "extensions": {k: v for k, v in plain(tree).items() if str(k).startswith("x-")},
        "disabled_services": sorted(disabled),
    }
    project_fields["host_paths"] = inspect_paths(project_fields, ctx.paths) if options.read_host_paths else {}
    project_fields["home_paths"] = dict(sorted(ctx.paths.from_home.items()))
    project_fields["unset_variables"] = _variable_uses(ctx.unset, project_dir)
    project_fields["warnings"] = warnings
    return Project(**project_fields)


def used_resources(services: dict[str, Any]) -> dict[str, set[str]]:
    """The networks, volumes, secrets and configs the services use (Compose drops the rest)."""
    used: dict[str, set[str]] = {"networks": set(), "volumes": set(), "secrets": set(),
                                 "configs": set()}
    for service in services.values():
        used["networks"].update(service.networks)
        used["volumes"].update(m.source for m in service.volumes
                               if m.type == "volume" and m.source)
        used["secrets"].update(r.source for r in service.secrets)
        used["configs"].update(r.source for r in service.configs)
        build_secrets = service.build.other.get("secrets") if service.build else None
        for entry in build_secrets if isinstance(build_secrets, list) else []:
            source = entry if isinstance(entry, str) else (entry or {}).get("source")
            if source:
                used["secrets"].add(str(source))
    return used


def _compose_files(
    options: LoadOptions, cwd: str, project_dir: str | None, env: Environment,
    warnings: list[str],
) -> list[str]:
    if options.files:
        names = options.files
    elif env.controls.get("COMPOSE_FILE"):
        names = split_compose_file(env.controls["COMPOSE_FILE"],
                                   env.controls.get("COMPOSE_PATH_SEPARATOR"))
        base = project_dir or cwd
        names = [os.path.join(base, n) for n in names]
    else:
        return find_default_files(project_dir or cwd, warnings)
    out = []
    for name in names:
        if name == "-":
            raise LoadError("reading the compose file from stdin ('-f -') is not supported",
                            hint="save it to a file and pass that path")
        path = os.path.normpath(os.path.join(cwd, os.path.expanduser(name)))
        if not os.path.exists(path):
            raise LoadError(f"compose file {path} not found",
                            hint="check the -f / COMPOSE_FILE path")
        out.append(path)
    return out


def _profiles(options: LoadOptions, env: Environment) -> set[str]:
    if options.profiles:
        return set(options.profiles)
    raw = env.controls.get("COMPOSE_PROFILES", "")
    return {p.strip() for p in raw.split(",") if p.strip()}


def _declared_name(
    files: list[str], env: Environment, parsed: dict[str, Any]
) -> tuple[str, str, int | None] | None:
    """The top-level `name:` of the last file that sets one, interpolated: (name, file, line).
    The parsed files are kept in `parsed` so that each file is read once."""
    found = None
    for path in files:
        try:
            tree = read_yaml(read_text(path, "compose file", "check the -f path"), path)
        except LoadError:
            continue  # reported with more context when the file is loaded
        parsed[path] = tree
        if isinstance(tree, dict) and isinstance(tree.get("name"), str):
            pos = key_pos(tree, "name")
            found = (tree["name"], path, pos[1] if pos else None)
    if found is None:
        return None
    try:
        return substitute(found[0], env.values.get), found[1], found[2]
    except InterpolationProblem as problem:
        raise LoadError(problem.message, file=found[1], line=found[2], key_path="name",
                        hint=problem.hint) from None


def _project_name(
    options: LoadOptions, env: Environment, declared: tuple[str, str, int | None] | None,
    project_dir: str,
) -> str:
    if options.project_name:
        return check_project_name(options.project_name, "-p/--project-name")
    if env.controls.get("COMPOSE_PROJECT_NAME"):
        return check_project_name(env.controls["COMPOSE_PROJECT_NAME"], "COMPOSE_PROJECT_NAME")
    if declared and declared[0]:
        try:
            return check_project_name(declared[0], "the top-level `name:`")
        except LoadError as err:
            err.file, err.line, err.key_path = declared[1], declared[2], "name"
            raise
    name = normalise_project_name(os.path.basename(project_dir.rstrip("/")))
    if not name:
        raise LoadError(
            f"cannot make a project name from the directory name {os.path.basename(project_dir)!r}",
            hint="pass -p NAME or set a top-level `name:`",
        )
    return name


# ---------------------------------------------------------------- one file


def _load_file(path: str, base_dir: str, ctx: _Context) -> Any:
    """Read one compose file: YAML, interpolation, absolute paths, include, extends."""
    if path in ctx.parsed:
        tree = ctx.parsed.pop(path)
    else:
        tree = read_yaml(read_text(path, "compose file", "check the -f / COMPOSE_FILE path"), path)
    if tree is None or tree == {}:
        return None
    check_legacy_and_empty(tree, path)
    interpolate_tree(tree, ctx.env.get, path, ctx.warnings, unset=ctx.unset)
    promote_aliases(tree)
    rebase_paths(tree, base_dir, ctx.paths, ctx.warnings)
    if tree.get("include") is not None:
        _apply_include(tree, path, base_dir, ctx)
    services = tree.get("services")
    if isinstance(services, dict):
        _apply_extends(services, path, ctx)
    return tree


def rebase_paths(tree: Any, base_dir: str, paths: HostPaths, warnings: list[str]) -> None:
    """Make the host paths one file writes host paths (`paths.absolute`, relative to `base_dir`,
    the file's directory); every later step sees only those."""
    services = tree.get("services") if isinstance(tree, dict) else None
    if isinstance(services, dict):
        for name, service in services.items():
            if isinstance(service, dict):
                _rebase_service(name, service, _Rebase(base_dir, paths, tree, warnings))
    for kind in ("secrets", "configs"):
        objects = tree.get(kind) if isinstance(tree, dict) else None
        if isinstance(objects, dict):
            for spec in objects.values():
                if isinstance(spec, dict) and isinstance(spec.get("file"), str):
                    spec["file"] = paths.absolute(spec["file"], base_dir)
    volumes = tree.get("volumes") if isinstance(tree, dict) else None
    for spec in volumes.values() if isinstance(volumes, dict) else []:
        # a local volume that binds a host directory: its `device` is a host path
        opts = spec.get("driver_opts") if isinstance(spec, dict) else None
        if isinstance(opts, dict) and spec.get("driver") == "local" and opts.get("o") == "bind" \
                and isinstance(opts.get("device"), str):
            opts["device"] = paths.absolute(opts["device"] or ".", base_dir)


@dataclass(frozen=True)
class _Rebase:
    """Rebasing the paths of one file: its directory, the path maker, and for errors and
    warnings the file's tree and the warning list."""

    base_dir: str
    paths: HostPaths
    tree: Any
    warnings: list[str]

    def absolute(self, path: str) -> str:
        return self.paths.absolute(path, self.base_dir)


def _variable_uses(unset: list[UnsetUse], project_dir: str) -> list[VariableUse]:
    """Each place an unset variable was used, once, with the file relative to the project."""
    uses: list[VariableUse] = []
    seen: set[UnsetUse] = set()
    for use in unset:
        if use in seen:
            continue
        seen.add(use)
        name, file, line, key_path = use
        shown = os.path.relpath(file, project_dir) if os.path.isabs(file) else file
        uses.append(VariableUse(name=name, file=shown.replace(os.sep, "/"), line=line,
                                key_path=key_path))
    return uses


def _rebase_service(name: str, service: LMap, rebase: _Rebase) -> None:
    build = service.get("build")
    if isinstance(build, str) and not _is_url(build):
        service["build"] = rebase.absolute(build)
    elif isinstance(build, dict):
        context = build.get("context")
        if context is None:
            build["context"] = rebase.base_dir
        elif isinstance(context, str) and not _is_url(context):
            build["context"] = rebase.absolute(context)
        ssh = build.get("ssh")
        if isinstance(ssh, (list, dict)):
            build["ssh"] = _rebased_ssh(ssh, rebase)
        extra = build.get("additional_contexts")
        if isinstance(extra, dict):
            for key, value in extra.items():
                # docker-image://, service:, URLs name no local directory
                if isinstance(value, str) and not _is_url(value) and ":" not in value.split("/")[0]:
                    extra[key] = rebase.absolute(value)
    for key in ("env_file", "label_file"):
        files = service.get(key)
        if isinstance(files, str):
            service[key] = rebase.absolute(files)
        for index, entry in enumerate(files if isinstance(files, list) else []):
            if isinstance(entry, str):
                files[index] = rebase.absolute(entry)
            elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
                entry["path"] = rebase.absolute(entry["path"])
    develop = service.get("develop")
    watch = develop.get("watch") if isinstance(develop, dict) else None
    for trigger in watch if isinstance(watch, list) else []:
        if isinstance(trigger, dict) and isinstance(trigger.get("path"), str):
            trigger["path"] = rebase.absolute(trigger["path"])
    volumes = service.get("volumes")
    for index, entry in enumerate(volumes if isinstance(volumes, list) else []):
        try:
            if isinstance(entry, str):
                volumes[index] = _rebased_volume(name, index, entry, rebase)
            elif isinstance(entry, dict) and entry.get("type") == "bind" and isinstance(entry.get("source"), str):
                if not _windows(entry["source"], name, rebase.warnings):
                    entry["source"] = rebase.absolute(entry["source"])
        except Problem as problem:
            where = ["services", name, "volumes", index, *problem.path]
            pos = locate(rebase.tree, where)
            raise LoadError(problem.message, file=pos[0] if pos else None, line=pos[1] if pos else None,
                            key_path=format_path(where), hint=problem.hint) from None


def _rebased_volume(name: str, index: int, entry: str, rebase: _Rebase) -> Any:
    """A short-syntax bind is written in the long form from here on, its source a host path."""
    ignored: list[str] = []
    parsed = volume_entry(entry, ignored)
    if parsed["type"] != "bind":
        return entry
    if not _windows(parsed["source"], name, rebase.warnings):
        parsed["source"] = rebase.absolute(parsed["source"])
    for option in ignored:
        rebase.warnings.append(f"service {name!r}: volumes[{index}] option {option!r} is not a volume option "
                               "Compose knows; it is ignored (as Compose does)")
    return _long_form(parsed)


def _long_form(value: Any) -> Any:
    if isinstance(value, dict):
        return LMap((k, _long_form(v)) for k, v in value.items())
    return value


def _rebased_ssh(ssh: Any, rebase: _Rebase) -> LSeq:
    """build.ssh as `ID=PATH` entries with absolute paths (`default` alone stays as is)."""
    if isinstance(ssh, dict):
        entries = [str(k) if v is None else f"{k}={v}" for k, v in ssh.items()]
    else:
        entries = [str(e) for e in ssh]
    out = LSeq()
    for entry in entries:
        key, sep, path = entry.partition("=")
        out.append(f"{key}={rebase.absolute(path)}" if sep and path else entry)
    out.pos = list(getattr(ssh, "pos", [None] * len(out)))[:len(out)] or [None] * len(out)
    return out


def _windows(source: str, service: str, warnings: list[str]) -> bool:
    """A Windows host path is kept as written (it cannot be resolved here), with a warning."""
    if not is_windows_path(source):
        return False
    warnings.append(f"service {service!r} mounts the Windows host path {source!r}; it is kept as "
                    "written and will not exist on a Linux node")
    return True


def _is_url(value: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^git@|^github\.com/", value))


# ---------------------------------------------------------------- include


def _apply_include(tree: LMap, path: str, base_dir: str, ctx: _Context) -> None:
    entries = tree["include"]
    if not isinstance(entries, list):
        entries = [entries]
    here = os.path.dirname(path)
    for index, entry in enumerate(entries):
        where = ["include", index]
        pos = locate(tree, where)
        if isinstance(entry, str):
            paths, project_dir, env_files = [entry], None, None
        elif isinstance(entry, dict):
            raw_paths = entry.get("path")
            paths = raw_paths if isinstance(raw_paths, list) else [raw_paths]
            project_dir, env_files = entry.get("project_directory"), entry.get("env_file")
        else:
            raise LoadError("an include entry must be a path or a mapping with `path`",
                            file=pos[0] if pos else path, line=pos[1] if pos else None,
                            key_path=format_path(where), hint="write `- path: other.yaml`")
        if not paths or any(not isinstance(p, str) for p in paths):
            raise LoadError("include needs `path` (a file or a list of files)",
                            file=pos[0] if pos else path, line=pos[1] if pos else None,
                            key_path=format_path(where), hint="write `- path: other.yaml`")
        if any(_is_url(p) or p.startswith("oci://") for p in paths):
            raise LoadError("including a remote compose file is not supported",
                            file=pos[0] if pos else path, line=pos[1] if pos else None,
                            key_path=format_path(where), hint="download it and include the local copy")
        env_list = [env_files] if isinstance(env_files, str) else env_files or []
        if (project_dir is not None and not isinstance(project_dir, str)) or not isinstance(
                env_list, list) or any(not isinstance(e, str) for e in env_list):
            raise LoadError("include: `project_directory` must be a path and `env_file` a path "
                            "or a list of paths", file=pos[0] if pos else path,
                            line=pos[1] if pos else None, key_path=format_path(where),
                            hint="write e.g. `project_directory: ./sub` and `env_file: sub.env`")
        files = [ctx.paths.absolute(p, here) for p in paths]
        inc_dir = ctx.paths.absolute(project_dir, here) if project_dir else os.path.dirname(files[0])
        for file in files:
            if file in ctx.include_stack or file == path:
                chain = " -> ".join([*ctx.include_stack, path, file])
                raise LoadError(f"include cycle: {chain}", file=pos[0] if pos else path,
                                line=pos[1] if pos else None, key_path=format_path(where),
                                hint="remove the include that points back to an including file")
            if not os.path.isfile(file):
                raise LoadError(f"included file {file} not found", file=pos[0] if pos else path,
                                line=pos[1] if pos else None, key_path=format_path(where),
                                hint="fix the include path")
        env_paths = [ctx.paths.absolute(e, here) for e in env_list]
        inc_env = load_environment(env_paths, inc_dir, {}, False, ctx.warnings).values
        inc_env.update(ctx.env)  # the including project's variables win
        sub = _Context(env=inc_env, paths=ctx.paths, warnings=ctx.warnings,
                       include_stack=[*ctx.include_stack, path], extends_cache=ctx.extends_cache,
                       unset=ctx.unset)
        included: Any = None
        for file in files:
            loaded = _load_file(file, inc_dir, sub)
            included = strip_tags(loaded) if included is None else merge_projects(included, loaded)
        _import_resources(tree, included, files[0], where, pos)
    del tree["include"]


def _import_resources(tree: LMap, included: Any, file: str, where: list[Any], pos: Any) -> None:
    for kind in ("services", "networks", "volumes", "secrets", "configs"):
        imported = included.get(kind) if isinstance(included, dict) else None
        if not isinstance(imported, dict):
            continue
        target = tree.get(kind)
        if not isinstance(target, dict):
            target = LMap()
            tree[kind] = target
        for name, spec in imported.items():
            if name in target and target[name] != spec:
                raise LoadError(
                    f"{kind}.{name} from included file {file} conflicts with the one defined here",
                    file=pos[0] if pos else None, line=pos[1] if pos else None,
                    key_path=format_path(where),
                    hint="rename one of them; an included resource cannot be redefined",
                )
            target[name] = spec
            if isinstance(imported, LMap) and name in imported.pos:
                target.pos[name] = imported.pos[name]


# ---------------------------------------------------------------- extends


def _apply_extends(services: LMap, path: str, ctx: _Context) -> None:
    resolved: dict[str, Any] = {}
    for name in list(services):
        services[name] = _resolve_extends(services, name, path, ctx, [], resolved=resolved)


def _resolve_extends(
    services: Any, name: str, path: str, ctx: _Context, stack: list[tuple[str, str]],
    *, resolved: dict[str, Any],
) -> Any:
    key = (path, name)
    if f"{path}#{name}" in resolved:
        return resolved[f"{path}#{name}"]
    service = services[name]
    if not isinstance(service, dict) or service.get("extends") is None:
        return service
    if key in stack:
        chain = " -> ".join(f"{n} ({os.path.basename(f)})" for f, n in [*stack, key])
        raise LoadError(f"extends cycle: {chain}", file=path, key_path=f"services.{name}.extends",
                        line=(key_pos(service, "extends") or (None, None))[1],
                        hint="break the cycle: a service cannot extend itself, even indirectly")
    ext = service["extends"]
    pos = key_pos(service, "extends")
    where = f"services.{name}.extends"
    if isinstance(ext, str):
        base_name, other = ext, None
    elif isinstance(ext, dict) and isinstance(ext.get("service"), str):
        base_name, other = ext["service"], ext.get("file")
    else:
        raise LoadError("extends needs `service` (the name of the service to extend)",
                        file=path, line=pos[1] if pos else None, key_path=where,
                        hint="write `extends: {service: base, file: other.yaml}`")
    if other is not None:
        other = str(other)
        if other.startswith("remote:") or _is_url(other):
            raise LoadError(f"extends from a remote file ({other}) is not supported",
                            file=path, line=pos[1] if pos else None, key_path=where + ".file",
                            hint="download the file and extend the local copy")
        other_path = ctx.paths.absolute(other, os.path.dirname(path))
        if other_path == path:
            base_services, base_file = services, path
        else:
            if not os.path.isfile(other_path):
                raise LoadError(f"extends: file {other_path} not found", file=path,
                                line=pos[1] if pos else None, key_path=where + ".file",
                                hint="fix the `file:` path (relative to this compose file)")
            if other_path not in ctx.extends_cache:
                text = read_text(other_path, "compose file", "fix the extends `file:` path")
                other_tree = read_yaml(text, other_path)
                check_legacy_and_empty(other_tree, other_path)
                interpolate_tree(other_tree, ctx.env.get, other_path, ctx.warnings, unset=ctx.unset)
                promote_aliases(other_tree)
                rebase_paths(other_tree, os.path.dirname(other_path), ctx.paths, ctx.warnings)
                ctx.extends_cache[other_path] = other_tree
            other_tree = ctx.extends_cache[other_path]
            base_services = other_tree.get("services") or LMap()
            base_file = other_path
    else:
        base_services, base_file = services, path
    if base_name not in base_services:
        available = ", ".join(sorted(map(str, base_services))) or "none"
        raise LoadError(
            f"extends: service {base_name!r} not found in {base_file}",
            file=path, line=pos[1] if pos else None, key_path=where,
            hint=f"services there: {available}",
        )
    base = _resolve_extends(base_services, base_name, base_file, ctx, [*stack, key], resolved={})
    if base is None:
        base = LMap()
    if not isinstance(base, dict):
        raise LoadError(f"extends: service {base_name!r} in {base_file} is not a mapping",
                        file=path, line=pos[1] if pos else None, key_path=where,
                        hint="the extended service must be a mapping of keys")
    merged = merge_service(_without_extends(base), _without_extends(service))
    resolved[f"{path}#{name}"] = merged
    return merged


def _without_extends(service: Any) -> LMap:
    out = LMap((k, v) for k, v in service.items() if k != "extends")
    out.pos = {k: p for k, p in getattr(service, "pos", {}).items() if k != "extends"}
    out.origin = getattr(service, "origin", None)
    return out


def _check_has_image(name: str, raw: Any, tree: Any) -> None:
    if isinstance(raw, dict) and raw.get("image") is None and raw.get("build") is None:
        pos = locate(tree, ["services", name])
        raise LoadError(
            f"service {name!r} has neither an image nor a build context",
            file=pos[0] if pos else None, line=pos[1] if pos else None,
            key_path=f"services.{name}",
            hint="add `image:` (e.g. image: nginx:1.27) or `build: .`",
        )


def _add_default_network(services: dict[str, Any]) -> dict[str, Any]:
    """Like Compose: a service without `networks` and `network_mode` joins `default`."""
    out = {}
    for name, service in services.items():
        if not service.networks and not service.network_mode:
            service = service.model_copy(update={"networks": {"default": None}})
        out[name] = service
    return out


__all__ = ["load", "rebase_paths"]
