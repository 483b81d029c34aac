"""The structured keys of a service (`build`, `volumes` entries, `depends_on`, `healthcheck`,
`deploy`, `secrets`/`configs`, `networks`, `ulimits`), each from its long-syntax mapping to its
model."""

from __future__ import annotations

import os
import re
from typing import Any

from converter.load.problems import at
from converter.load.short_syntax import clean_path, depends_map, key_value_map, name_map
from converter.load.units import compose_string
from converter.load.values import (
    boolean,
    byte_size,
    duration,
    file_mode,
    integer,
    labels,
    number,
    optional_boolean,
    plain,
    str_list,
)
from converter.model.project import (
    Build,
    Deploy,
    DependsOn,
    FileReference,
    Healthcheck,
    ResourceSpec,
    Resources,
    RestartPolicy,
    ServiceNetwork,
    Ulimit,
    VolumeMount,
)


def volume_mount(raw: dict[str, Any]) -> VolumeMount:
    bind = raw.get("bind") or {}
    volume = raw.get("volume") or {}
    tmpfs = raw.get("tmpfs") or {}
    size = tmpfs.get("size")
    mode = tmpfs.get("mode")
    return VolumeMount(
        type=raw["type"],
        source=str(raw["source"]) if raw.get("source") not in (None, "") else None,
        target=clean_path(str(raw["target"])),
        read_only=boolean(raw.get("read_only", False)),
        consistency=raw.get("consistency"),
        create_host_path=optional_boolean(bind.get("create_host_path")),
        propagation=bind.get("propagation"),
        selinux=bind.get("selinux"),
        nocopy=optional_boolean(volume.get("nocopy")),
        subpath=volume.get("subpath"),
        tmpfs_size=at(["tmpfs", "size"], lambda: byte_size(size)),
        tmpfs_mode=at(["tmpfs", "mode"], lambda: file_mode(mode)) if mode is not None else None,
    )


def build(value: Any, warnings: list[str]) -> Build:
    """`build` (its context already a host path, or a URL)."""
    if isinstance(value, str):
        value = {"context": value}
    context = str(value.get("context") or ".")
    if not re.match(r"^[a-z]+://|^git@|^github\.com/", context):
        if not os.path.isdir(context):
            warnings.append(f"build context {context} does not exist (building the image "
                                "will fail; converting does not need it)")
    args = {str(k): compose_string(v) for k, v in key_value_map(value.get("args") or {}).items()}
    known = {"context", "dockerfile", "dockerfile_inline", "args", "target"}
    other = {k: plain(v) for k, v in value.items() if k not in known}
    if "labels" in other:
        other["labels"] = labels(value["labels"])
    return Build(
        context=context,
        dockerfile=value.get("dockerfile"),
        dockerfile_inline=value.get("dockerfile_inline"),
        args=args,
        target=value.get("target"),
        other=other,
    )


def depends_on(value: Any) -> dict[str, DependsOn]:
    out: dict[str, DependsOn] = {}
    for name, spec in depends_map(value or []).items():
        spec = spec or {}
        out[str(name)] = DependsOn(
            condition=spec.get("condition", "service_started"),
            required=boolean(spec.get("required", True)),
            restart=boolean(spec.get("restart", False)),
        )
    return out


def healthcheck(value: Any) -> Healthcheck:
    test = value.get("test")
    if isinstance(test, str):
        test_list: list[str] | None = ["CMD-SHELL", test]
    elif isinstance(test, list):
        test_list = [str(t) for t in test]
    else:
        test_list = None
    disable = boolean(value.get("disable", False)) or test_list == ["NONE"]
    return Healthcheck(
        test=test_list,
        interval=at(["interval"], lambda: duration(value.get("interval"))),
        timeout=at(["timeout"], lambda: duration(value.get("timeout"))),
        retries=at(["retries"], lambda: integer(value["retries"])) if value.get("retries") is not None
        else None,
        start_period=at(["start_period"], lambda: duration(value.get("start_period"))),
        start_interval=at(["start_interval"], lambda: duration(value.get("start_interval"))),
        disable=disable,
    )


def deploy(value: Any) -> Deploy:
    def spec(raw: Any) -> ResourceSpec | None:
        if raw is None:
            return None
        return ResourceSpec(
            cpus=number(raw["cpus"]) if raw.get("cpus") is not None else None,
            memory=byte_size(raw.get("memory")),
            pids=integer(raw["pids"]) if raw.get("pids") is not None else None,
            devices=plain(raw.get("devices")),
            generic_resources=plain(raw.get("generic_resources")),
        )

    resources = value.get("resources")
    restart = value.get("restart_policy")
    return Deploy(
        mode=value.get("mode"),
        replicas=at(["replicas"], lambda: integer(value["replicas"]))
        if value.get("replicas") is not None else None,
        resources=Resources(
            limits=at(["resources", "limits"], lambda: spec(resources.get("limits"))),
            reservations=at(["resources", "reservations"],
                             lambda: spec(resources.get("reservations"))),
        ) if resources is not None else None,
        restart_policy=RestartPolicy(
            condition=restart.get("condition"),
            delay=duration(restart.get("delay")),
            max_attempts=integer(restart["max_attempts"]) if restart.get("max_attempts") is not None
            else None,
            window=duration(restart.get("window")),
        ) if restart is not None else None,
        labels=labels(value.get("labels")),
        endpoint_mode=value.get("endpoint_mode"),
        placement=plain(value.get("placement")),
        update_config=plain(value.get("update_config")),
        rollback_config=plain(value.get("rollback_config")),
    )


def file_references(value: Any) -> list[FileReference]:
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
            mode=at([index, "mode"], lambda e=entry: file_mode(e["mode"]))
            if entry.get("mode") is not None else None,
        ))
    return out


def networks(value: Any) -> dict[str, ServiceNetwork | None]:
    out: dict[str, ServiceNetwork | None] = {}
    for name, spec in name_map(value or []).items():
        if spec is None:
            out[str(name)] = None
            continue
        known = {"aliases", "ipv4_address", "ipv6_address", "priority"}
        out[str(name)] = ServiceNetwork(
            aliases=str_list(spec.get("aliases")),
            ipv4_address=spec.get("ipv4_address"),
            ipv6_address=spec.get("ipv6_address"),
            priority=integer(spec["priority"]) if spec.get("priority") is not None else None,
            other={k: plain(v) for k, v in spec.items() if k not in known},
        )
    return out


def ulimits(value: Any) -> dict[str, Ulimit]:
    out: dict[str, Ulimit] = {}
    for name, spec in (value or {}).items():
        if isinstance(spec, dict):
            out[str(name)] = Ulimit(soft=at([name, "soft"], lambda s=spec: integer(s.get("soft"))),
                                    hard=at([name, "hard"], lambda s=spec: integer(s.get("hard"))))
        else:
            both = at([name], lambda s=spec: integer(s))
            out[str(name)] = Ulimit(soft=both, hard=both)
    return out
