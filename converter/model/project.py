"""Typed model of a fully loaded, normalised Compose project.

The loader hands the translator only this: every short syntax is already in its long form,
interpolation is done, files are merged, profiles are applied. No Kubernetes types live here.

Field names follow the Compose specification (long syntax, as `docker compose config` prints it).
Keys that kubemap has no typed field for are still kept, in `other`, so that the translator can
report them instead of dropping them silently.
"""

from __future__ import annotations

import posixpath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Located(BaseModel):
    """Base for every model: frozen, no unknown attributes, and where the data came from."""

    # defer_build: a model's validator is built when it is first used, not when the module is
    # imported (building all of them took ~0.1 s of every command's start-up).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class SourceRef(Located):
    """Where a key was written: a file and a 1-based line, when known."""

    file: str
    line: int | None = None


class PortMapping(Located):
    """One entry of `ports`, long syntax. Ranges are already expanded to one entry each."""

    target: int
    published: str | None = None  # host port; a string because Compose allows ranges/"" here
    host_ip: str | None = None
    protocol: Literal["tcp", "udp", "sctp"] = "tcp"
    app_protocol: str | None = None
    mode: Literal["ingress", "host"] = "ingress"
    name: str | None = None


class VolumeMount(Located):
    """One entry of `volumes`, long syntax."""

    type: Literal["volume", "bind", "tmpfs", "npipe", "cluster", "image"]
    source: str | None = None  # volume name, absolute host path for binds, None if anonymous
    target: str
    read_only: bool = False
    consistency: str | None = None
    # bind options
    create_host_path: bool | None = None
    propagation: str | None = None
    selinux: str | None = None
    # volume options
    nocopy: bool | None = None
    subpath: str | None = None
    # tmpfs options
    tmpfs_size: int | None = None  # bytes
    tmpfs_mode: int | None = None


class DependsOn(Located):
    """One dependency, long syntax."""

    condition: Literal["service_started", "service_healthy", "service_completed_successfully"] = (
        "service_started"
    )
    required: bool = True
    restart: bool = False


class FileReference(Located):
    """One entry of a service's `secrets` or `configs`, long syntax."""

    source: str
    target: str | None = None  # None means the Compose default (/run/secrets/<source> or /<source>)
    uid: str | None = None
    gid: str | None = None
    mode: int | None = None


class Healthcheck(Located):
    """A service healthcheck. `test` is always a list: ["CMD", ...], ["CMD-SHELL", cmd] or ["NONE"]."""

    test: list[str] | None = None
    interval: float | None = None  # seconds
    timeout: float | None = None
    retries: int | None = None
    start_period: float | None = None
    start_interval: float | None = None
    disable: bool = False


class ResourceSpec(Located):
    cpus: float | None = None
    memory: int | None = None  # bytes
    pids: int | None = None
    devices: list[dict[str, Any]] | None = None
    generic_resources: list[dict[str, Any]] | None = None


class Resources(Located):
    limits: ResourceSpec | None = None
    reservations: ResourceSpec | None = None


class RestartPolicy(Located):
    condition: Literal["none", "on-failure", "any"] | None = None
    delay: float | None = None
    max_attempts: int | None = None
    window: float | None = None


class Deploy(Located):
    mode: str | None = None  # "replicated" | "global" | "replicated-job" | "global-job"
    replicas: int | None = None
    resources: Resources | None = None
    restart_policy: RestartPolicy | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    endpoint_mode: str | None = None
    placement: dict[str, Any] | None = None
    update_config: dict[str, Any] | None = None
    rollback_config: dict[str, Any] | None = None


class Build(Located):
    context: str  # absolute path after loading
    dockerfile: str | None = None
    dockerfile_inline: str | None = None
    args: dict[str, str | None] = Field(default_factory=dict)
    target: str | None = None
    other: dict[str, Any] = Field(default_factory=dict)  # cache_from, platforms, ... kept verbatim

    @property
    def dockerfile_path(self) -> str | None:
        """The Dockerfile this build reads (absolute), or None (inline, or a remote context)."""
        if self.dockerfile_inline is not None or not self.context.startswith("/"):
            return None
        name = self.dockerfile or "Dockerfile"
        return posixpath.normpath(name if name.startswith("/") else posixpath.join(self.context, name))


class ServiceNetwork(Located):
    """A service's attachment to one network."""

    aliases: list[str] = Field(default_factory=list)
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    priority: int | None = None
    other: dict[str, Any] = Field(default_factory=dict)


class Ulimit(Located):
    soft: int
    hard: int


class Service(Located):
    """One Compose service after loading.

    Every key of the Compose service schema is either a typed field here or kept verbatim in
    `other` (keyed by its Compose name), so nothing is lost between loading and translating.
    `sources` maps a key path relative to the service (e.g. "ports[0]") to where it was written.
    """

    name: str
    image: str | None = None
    build: Build | None = None
    pull_policy: str | None = None
    command: list[str] | None = None  # None = image default; [] = explicitly empty
    entrypoint: list[str] | None = None
    working_dir: str | None = None
    user: str | None = None
    environment: dict[str, str | None] = Field(default_factory=dict)
    # Values read from env_file, in file order (a later file wins); see merged_environment().
    env_file_values: dict[str, str | None] = Field(default_factory=dict)
    env_files: list[str] = Field(default_factory=list)  # absolute paths, for the trace
    ports: list[PortMapping] = Field(default_factory=list)
    expose: list[str] = Field(default_factory=list)  # "80", "8000-8002", "53/udp"
    volumes: list[VolumeMount] = Field(default_factory=list)
    tmpfs: list[str] = Field(default_factory=list)
    depends_on: dict[str, DependsOn] = Field(default_factory=dict)
    healthcheck: Healthcheck | None = None
    deploy: Deploy | None = None
    restart: str | None = None  # "no" | "always" | "on-failure[:N]" | "unless-stopped"
    scale: int | None = None
    secrets: list[FileReference] = Field(default_factory=list)
    configs: list[FileReference] = Field(default_factory=list)
    networks: dict[str, ServiceNetwork | None] = Field(default_factory=dict)
    network_mode: str | None = None
    hostname: str | None = None
    domainname: str | None = None
    container_name: str | None = None
    links: list[str] = Field(default_factory=list)
    external_links: list[str] = Field(default_factory=list)
    extra_hosts: dict[str, list[str]] = Field(default_factory=dict)
    dns: list[str] = Field(default_factory=list)
    dns_search: list[str] = Field(default_factory=list)
    dns_opt: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    cap_add: list[str] = Field(default_factory=list)
    cap_drop: list[str] = Field(default_factory=list)
    privileged: bool | None = None
    read_only: bool | None = None
    security_opt: list[str] = Field(default_factory=list)
    sysctls: dict[str, str] = Field(default_factory=dict)
    ulimits: dict[str, Ulimit] = Field(default_factory=dict)
    init: bool | None = None
    stdin_open: bool | None = None
    tty: bool | None = None
    shm_size: int | None = None  # bytes
    stop_grace_period: float | None = None  # seconds
    stop_signal: str | None = None
    mem_limit: int | None = None  # bytes (legacy key; kept so the trace names it)
    mem_reservation: int | None = None
    cpus: float | None = None  # legacy key
    profiles: list[str] = Field(default_factory=list)
    platform: str | None = None
    # Any other Compose key (logging, devices, pid, ipc, ...) verbatim, for reporting.
    other: dict[str, Any] = Field(default_factory=dict)
    # x-* keys on the service; x-kubemap is read by the translator.
    extensions: dict[str, Any] = Field(default_factory=dict)
    # The set of keys the user actually wrote for this service (after merging), in Compose names.
    # The report walks this to show one row per key.
    keys: list[str] = Field(default_factory=list)
    sources: dict[str, SourceRef] = Field(default_factory=dict)

    def merged_environment(self) -> dict[str, tuple[str | None, str]]:
        """Every variable the container gets: name -> (value, "env_file" | "environment").
        Inline `environment` wins over `env_file` for the same name (Compose's rule, the one
        place it is applied); the env files' variables come first, in file order."""
        merged = {k: (v, "env_file") for k, v in self.env_file_values.items() if k not in self.environment}
        merged.update((k, (v, "environment")) for k, v in self.environment.items())
        return merged


class Network(Located):
    name: str  # Compose key
    external: bool = False
    internal: bool = False
    driver: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    other: dict[str, Any] = Field(default_factory=dict)
    extensions: dict[str, Any] = Field(default_factory=dict)


class Volume(Located):
    name: str  # Compose key
    external: bool = False
    driver: str | None = None
    driver_opts: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    extensions: dict[str, Any] = Field(default_factory=dict)
    other: dict[str, Any] = Field(default_factory=dict)  # name, ... kept verbatim


class FileObject(Located):
    """A top-level secret or config."""

    name: str  # Compose key
    file: str | None = None  # absolute path
    environment: str | None = None  # name of the variable holding the content
    content: str | None = None  # configs only: inline content (already interpolated)
    environment_value: str | None = None  # value of `environment`, resolved by the loader
    external: bool = False
    labels: dict[str, str] = Field(default_factory=dict)
    other: dict[str, Any] = Field(default_factory=dict)
    extensions: dict[str, Any] = Field(default_factory=dict)


class HostPath(Located):
    """What the loader found on disk at a path the project refers to (bind source, secret/config
    file, Dockerfile). The translator never reads files; it gets their content from here.

    kind "outside": the path is not part of the project (an absolute path outside the project
    directory, or a symlink that leaves it). It was never opened, read or stat-ed; `host_path`
    is the path on the host it names (the link target for a symlink).
    kind "home": written with `~`, it names the home directory of whoever converts; never
    opened, read or stat-ed; `host_path` is the path as written (`~/.aws`)."""

    path: str  # absolute
    kind: Literal["file", "dir", "missing", "other", "outside", "home"]
    size: int | None = None
    content: bytes | None = None  # files up to the loader's size limit
    # Small directories: relative file name -> content (only when every file is small).
    entries: dict[str, bytes] | None = None
    host_path: str | None = None  # kind "outside": the host path it names; "home": as written
    note: str | None = None  # why a directory's entries are not kept (too big, a link leaves, ...)


class VariableUse(Located):
    """A `${VAR}` without a default whose variable was unset, so Compose (and kubemap) put an
    empty string there. `key_path` is where in the Compose model it was written."""

    name: str
    file: str
    line: int | None = None
    key_path: str = ""


class Project(Located):
    """A whole loaded project."""

    name: str
    working_dir: str  # absolute project directory
    files: list[str]  # absolute paths of the compose files, in load order
    services: dict[str, Service] = Field(default_factory=dict)
    networks: dict[str, Network] = Field(default_factory=dict)
    volumes: dict[str, Volume] = Field(default_factory=dict)
    secrets: dict[str, FileObject] = Field(default_factory=dict)
    configs: dict[str, FileObject] = Field(default_factory=dict)
    extensions: dict[str, Any] = Field(default_factory=dict)  # top-level x-* keys
    # Services present in the files but disabled by profiles; reported, never converted.
    disabled_services: list[str] = Field(default_factory=list)
    # Every host path the project refers to, as found when loading (absolute path -> what is there).
    host_paths: dict[str, HostPath] = Field(default_factory=dict)
    # Paths written with `~` (host path -> as written): the home directory of whoever converts.
    home_paths: dict[str, str] = Field(default_factory=dict)
    # What Docker Compose would warn about while loading (unset variables, obsolete `version`).
    warnings: list[str] = Field(default_factory=list)
    # Every place an unset variable was interpolated as "" (in file order), for findings.
    unset_variables: list[VariableUse] = Field(default_factory=list)

    def shown_path(self, path: str) -> str:
        """A host path as kubemap shows it (trace, findings, report), the same on every machine:
        `./relative` inside the project directory, a `~` path as written, any other as it is."""
        if path in self.home_paths:
            return self.home_paths[path]
        base = self.working_dir.rstrip("/")
        if path == base:
            return "."
        return "./" + path[len(base) + 1:] if path.startswith(base + "/") else path
