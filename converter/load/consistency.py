"""The checks Docker Compose makes on a loaded project before it uses it (compose-go's
`checkConsistency` and `CheckContainerNameUnicity`), on the typed services. Each problem names
the file, line and key path, and says what to do; every problem of every service is collected so
that `kubemap validate` can list them all."""

from __future__ import annotations

from typing import Any

from converter.errors import LoadError
from converter.load.yaml_reader import format_path, locate
from converter.model.project import Service


def check_services(tree: Any, services: dict[str, Service]) -> list[LoadError]:
    problems: list[LoadError] = []
    for name in sorted(services):
        for path, message, hint in _service_problems(services[name]):
            problems.append(_error(tree, ["services", name, *path], message, hint))
    owners: dict[str, str] = {}
    for name in sorted(services):
        container = services[name].container_name
        if container is None:
            continue
        if container in owners:
            problems.append(_error(
                tree, ["services", name, "container_name"],
                f"container name {container!r} is already used by service {owners[container]!r}",
                "give each service its own container_name, or remove it"))
        else:
            owners[container] = name
    return problems


def check_top_level(tree: Any) -> list[LoadError]:
    """A secret that is not external needs `file` or `environment`."""
    problems: list[LoadError] = []
    secrets = tree.get("secrets") if isinstance(tree, dict) else None
    for name, spec in (secrets.items() if isinstance(secrets, dict) else []):
        spec = spec if isinstance(spec, dict) else {}
        if spec.get("external") in (True, "true") or isinstance(spec.get("external"), dict):
            continue
        if not spec.get("file") and not spec.get("environment"):
            problems.append(_error(tree, ["secrets", name],
                                   f"secret {name!r} declares neither `file` nor `environment`",
                                   "add `file: ./path` or `environment: VARIABLE`, or mark it "
                                   "`external: true`"))
    return problems


def _service_problems(s: Service) -> list[tuple[list[Any], str, str]]:
    out: list[tuple[list[Any], str, str]] = []
    build = s.build
    if build is not None:
        if build.dockerfile and build.dockerfile_inline:
            out.append((["build", "dockerfile_inline"],
                        "`build.dockerfile` and `build.dockerfile_inline` exclude each other",
                        "keep one of them"))
        platforms = build.other.get("platforms") or []
        if platforms and s.platform and s.platform not in platforms:
            out.append((["build", "platforms"],
                        f"build.platforms ({', '.join(map(str, platforms))}) does not include the "
                        f"service's platform {s.platform!r}",
                        f"add {s.platform} to build.platforms, or change `platform`"))
    if s.healthcheck is not None and s.healthcheck.test:
        if s.healthcheck.test[0] not in ("CMD", "CMD-SHELL", "NONE"):
            out.append((["healthcheck", "test"],
                        f"healthcheck.test starts with {s.healthcheck.test[0]!r}",
                        'start the list with "CMD", "CMD-SHELL" or "NONE", or write a string'))
    deploy = s.deploy
    replicas = deploy.replicas if deploy is not None else None
    if s.scale is not None and replicas is not None and s.scale != replicas:
        out.append((["scale"], f"scale ({s.scale}) and deploy.replicas ({replicas}) differ",
                    "set only one of them"))
    if s.scale is not None and s.scale < 0:
        out.append((["scale"], "scale must not be negative", "use 0 or more"))
    if replicas is not None and replicas < 0:
        out.append((["deploy", "replicas"], "deploy.replicas must not be negative",
                    "use 0 or more"))
    limits = deploy.resources.limits if deploy is not None and deploy.resources else None
    reservations = deploy.resources.reservations if deploy is not None and deploy.resources \
        else None
    legacy_keys = (
        ("cpus", s.cpus, limits, "cpus", "deploy.resources.limits.cpus"),
        ("mem_limit", s.mem_limit, limits, "memory", "deploy.resources.limits.memory"),
        ("mem_reservation", s.mem_reservation, reservations, "memory",
         "deploy.resources.reservations.memory"),
        ("pids_limit", _number(s.other.get("pids_limit")), limits, "pids",
         "deploy.resources.limits.pids"),
    )
    for key, legacy, spec, attr, modern in legacy_keys:
        if legacy and spec is not None and getattr(spec, attr) != legacy:
            out.append(([key], f"`{key}` ({legacy}) and `{modern}` "
                        f"({getattr(spec, attr)}) differ", "set only one of them"))
    scale = s.scale if s.scale is not None else replicas if replicas is not None else 1
    if scale > 1 and s.container_name is not None:
        out.append((["container_name"],
                    f"container_name is set but the service runs {scale} containers "
                    "(scale / deploy.replicas), and a container name must be unique",
                    "remove container_name, or run one replica"))
    develop = s.other.get("develop")
    watch = develop.get("watch") if isinstance(develop, dict) else None
    for index, trigger in enumerate(watch if isinstance(watch, list) else []):
        if isinstance(trigger, dict) and not trigger.get("target") and \
                trigger.get("action") not in ("rebuild", "restart"):
            out.append((["develop", "watch", index],
                        f"develop.watch[{index}] (action {trigger.get('action')!r}) has no "
                        "target", "add `target:` (the path in the container)"))
    mounted: dict[str, str] = {}
    for index, tmpfs in enumerate(s.tmpfs):
        target = tmpfs.split(":")[0]
        where = f"tmpfs[{index}]"
        if target in mounted:
            out.append((["tmpfs", index], f"{target} is already mounted by {mounted[target]}",
                        "mount each path once"))
        mounted.setdefault(target, where)
    for index, mount in enumerate(s.volumes):
        if mount.target in mounted:
            out.append((["volumes", index],
                        f"{mount.target} is already mounted by {mounted[mount.target]}",
                        "mount each path once"))
        mounted.setdefault(mount.target, f"volumes[{index}]")
    return out


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _error(tree: Any, path: list[Any], message: str, hint: str) -> LoadError:
    pos = locate(tree, path)
    return LoadError(message, file=pos[0] if pos else None, line=pos[1] if pos else None,
                     key_path=format_path(path), hint=hint)
