"""volumes / tmpfs → PersistentVolumeClaims, ConfigMaps (file binds) and emptyDirs."""

from __future__ import annotations

import base64
import os
import posixpath
import re
from typing import Any

from converter.model import HostPath, VolumeMount
from converter.model.images import image_base
from converter.model.kube import RWO_MODES
from converter.model.ownership import ACCEPT_HOST_PATHS
from converter.translate.container import memory_quantity
from converter.translate.context import Context, ServicePlan, src
from converter.translate.kompose_labels import volume_label_settings
from converter.translate.labels import metadata, valid_label
from converter.translate.naming import config_key, dns_label
from converter.translate.rules import rule


CONFIGMAP_LIMIT = 1_000_000  # bytes stored; a whole ConfigMap object must stay under 1 MiB in etcd
ACCESS_MODES = {"rwo": "ReadWriteOnce", "readwriteonce": "ReadWriteOnce", "rwx": "ReadWriteMany",
                "readwritemany": "ReadWriteMany", "rox": "ReadOnlyMany", "readonlymany": "ReadOnlyMany",
                "rwop": "ReadWriteOncePod", "readwriteoncepod": "ReadWriteOncePod"}
_SIZE = re.compile(r"^(\d+)([kmgt]?)b?$", re.IGNORECASE)


def pvc_settings(ctx: Context, volume: str, plan: ServicePlan | None = None) -> dict[str, Any]:
    """Size, storage class and access mode for a named volume: service x-kubemap.volumes.<v>,
    then the top-level volume's x-kubemap, then the top-level x-kubemap, then the defaults."""
    layers: list[dict[str, Any]] = []
    if plan is not None and isinstance(plan.x.get("volumes"), dict):
        layers.append(plan.x["volumes"].get(volume) or {})
    top = ctx.project.volumes.get(volume)
    if top is not None:
        own = top.extensions.get("x-kubemap") if isinstance(top.extensions.get("x-kubemap"), dict) else {}
        layers.append({**volume_label_settings(top.labels), **own})  # Kompose's labels under it (R-KOMPOSE-01)
    layers.append({k.removeprefix("pvc_"): v for k, v in ctx.top_x.items() if k.startswith("pvc_")})
    settings: dict[str, Any] = {"size": ctx.options.default_pvc_size, "storage_class": None,
                                "access_mode": "ReadWriteOnce", "selector": None}
    for key in settings:
        for layer in layers:
            if layer.get(key) is not None:
                # selector: the labels of the PersistentVolumes the claim may bind to
                settings[key] = {str(k): str(v) for k, v in layer[key].items()} \
                    if key == "selector" and isinstance(layer[key], dict) else str(layer[key])
                break
    mode = settings["access_mode"] or "ReadWriteOnce"
    settings["access_mode"] = ACCESS_MODES.get(mode.lower(), mode)
    return settings


def pvc_spec(settings: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": [settings["access_mode"]],
                            "resources": {"requests": {"storage": settings["size"]}}}
    if settings["storage_class"]:
        spec["storageClassName"] = settings["storage_class"]
    if isinstance(settings.get("selector"), dict) and settings["selector"]:
        spec["selector"] = {"matchLabels": dict(sorted(settings["selector"].items()))}
    return spec


def map_volumes(ctx: Context, plan: ServicePlan) -> None:
    """Dispatch each `volumes` entry to its rule, then `tmpfs` entries."""
    t = ctx.tracer(plan)
    volume_users = ctx.volume_users
    svc = plan.service
    targets: dict[str, str] = {}  # mount path → the entry that claimed it first
    for i, mount in enumerate(svc.volumes):
        s = src(plan, f"volumes[{i}]")
        path = mount.target.rstrip("/") or "/"
        if path in targets:
            duplicate_mount(ctx, plan, s, mount.target, targets[path])
            continue
        targets[path] = s
        if mount.type == "volume" and mount.source:
            named_volume(ctx, plan, mount, s, volume_users)
        elif mount.type == "volume":
            anonymous_volume(ctx, plan, mount, s, i)
        elif mount.type == "bind":
            bind_mount(ctx, plan, mount, s, i)
        elif mount.type == "tmpfs":
            tmpfs_mount(ctx, plan, mount.target, mount.tmpfs_size, s, name=f"tmpfs-{i}")
        else:
            t.unsupported(s, "R-VOL-06", f"volume type {mount.type} has no Kubernetes equivalent",
                          f"{mount.type} volume at {mount.target} is not converted")
    for j, entry in enumerate(svc.tmpfs):
        path, _, opts = entry.partition(":")
        if (path.rstrip("/") or "/") in targets:
            duplicate_mount(ctx, plan, src(plan, f"tmpfs[{j}]"), path, targets[path.rstrip("/") or "/"])
            continue
        targets[path.rstrip("/") or "/"] = src(plan, f"tmpfs[{j}]")
        size = None
        for opt in opts.split(","):
            if opt.startswith("size="):
                size = parse_size(opt[5:])
        tmpfs_mount(ctx, plan, path, size, src(plan, f"tmpfs[{j}]"), name=f"tmpfs-s{j}")


@rule("R-VOL-08", "two volumes on one mount path → (first kept, reported)", keys=("volumes", "tmpfs"))
def duplicate_mount(ctx: Context, plan: ServicePlan, source: str, target: str, first: str) -> None:
    """Docker refuses a container with two mounts on the same path ("Duplicate mount point"),
    and Kubernetes rejects such a pod. The first entry for a path is converted; every later one
    is reported and left out, so the output stays valid. Fix the Compose file."""
    t = ctx.tracer(plan)
    t.trace(source, [], "R-VOL-08", "unsupported", f"{target} is already mounted by {first}")
    ctx.finding("KM-W-DUP-MOUNT", source, f"duplicate mount point {target} (first: {first}); left out",
                "Docker refuses this too: remove one of the mounts")


def stored_size(content: bytes) -> int:
    """Bytes a file takes in a ConfigMap: text as is, binary base64-encoded (4/3 larger)."""
    try:
        content.decode("utf-8")
        return len(content)
    except UnicodeDecodeError:
        return (len(content) + 2) // 3 * 4


def parse_size(text: str) -> int | None:
    m = _SIZE.match(text.strip())
    if not m:
        return None
    return int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]


def _mount(name: str, mount: VolumeMount, read_only: bool | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "mountPath": mount.target}
    if read_only if read_only is not None else mount.read_only:
        entry["readOnly"] = True
    if mount.subpath:
        entry["subPath"] = mount.subpath
    return entry


@rule("R-VOL-01", "named volume → PersistentVolumeClaim <volume>", keys=("volumes",))
def named_volume(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str,
                 volume_users: dict[str, list[str]]) -> None:
    """A named volume becomes a PersistentVolumeClaim named after it (size `1Gi` by default,
    or `size`/`storage_class`/`access_mode` from `x-kubemap` on the top-level volume or in the
    service's `x-kubemap.volumes.<name>`), mounted at the same path; `read_only` and `subpath`
    are kept. In a StatefulSet it is a `volumeClaimTemplate` instead (one claim per pod).
    A volume used by several services with ReadWriteOnce is reported: their pods can only run on
    one node together. A new PVC starts empty; Docker copies the image's files at that path
    into a new named volume (`nocopy`), Kubernetes does not. A postgres image with its data
    directory on the volume root and no `PGDATA` subdirectory is reported: a new ext4 volume has
    `lost+found` at its root and initdb refuses a non-empty directory."""
    t = ctx.tracer(plan)
    assert mount.source is not None
    svc = plan.service
    _check_pgdata(ctx, plan, mount, source)
    label = dns_label(mount.source)
    settings = pvc_settings(ctx, mount.source, plan)
    top = ctx.project.volumes.get(mount.source)
    reason = "new PVCs start empty (no copy of the image's files)"
    if plan.kind == "StatefulSet" and volume_users.get(mount.source) == [svc.name] and not (top and top.external):
        if not any(claim["metadata"]["name"] == label for claim in plan.claim_templates):
            plan.claim_templates.append({"metadata": {"name": label}, "spec": pvc_spec(settings)})
        plan.mounts.append(_mount(label, mount))
        t.mapped(source, [f"{plan.ref} .spec.volumeClaimTemplates[name={label}]",
                           plan.container_field(f"volumeMounts[name={label}]")],
                 "R-VOL-01", reason=f"PVC {label}-{plan.name}-0 per pod; " + reason)
        return
    if not any(v["name"] == label for v in plan.volumes):
        plan.volumes.append({"name": label, "persistentVolumeClaim": {"claimName": label}})
    plan.mounts.append(_mount(label, mount))
    if settings["access_mode"] in RWO_MODES and label not in plan.rwo_claims:
        plan.rwo_claims.append(label)
    t.mapped(source, [f"PersistentVolumeClaim/{label}", plan.container_field(f"volumeMounts[name={label}]")],
             "R-VOL-01", reason=reason)
    users = volume_users.get(mount.source, [])
    if len(users) > 1 and settings["access_mode"] == "ReadWriteOnce" and users[0] == svc.name:
        ctx.finding("KM-W-PVC-SHARED", f"volumes.{mount.source}",
                    f"volume {mount.source} is shared by {', '.join(users)} but ReadWriteOnce: "
                    "their pods must run on the same node",
                    f"set x-kubemap: {{access_mode: ReadWriteMany}} on volume {mount.source} "
                    "(needs an RWX storage class)")


def _check_pgdata(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str) -> None:
    if image_base(plan.service.image) not in ("postgres", "postgis", "timescaledb") or mount.subpath:
        return
    pgdata = plan.service.merged_environment().get("PGDATA", (None, ""))[0] or "/var/lib/postgresql/data"
    if pgdata.rstrip("/") == mount.target.rstrip("/"):
        ctx.finding("KM-W-PGDATA", source,
                    f"PostgreSQL's data directory is the root of the volume {mount.source}; initdb fails on a "
                    "new volume that contains lost+found",
                    f"set PGDATA={mount.target.rstrip('/')}/pgdata in the service's environment")


@rule("R-VOL-02", "bind mount of a file → ConfigMap + subPath (read-only)", keys=("volumes",))
def bind_file(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str, index: int,
              *, host: HostPath) -> None:
    """A bind-mounted file becomes a ConfigMap `<service>-file-<name>` holding the file's
    content as read from the converting machine (text in `data`, anything else base64 in
    `binaryData`), mounted read-only with `subPath` at the Compose target. Differences: the
    content is a snapshot taken at conversion (re-convert after editing the file), the mount is
    read-only even when Compose's is not, and files over ~1 MB cannot be stored (R-VOL-04)."""
    t = ctx.tracer(plan)
    assert host.content is not None
    svc = plan.service
    key = config_key(os.path.basename(host.path))
    cm = _bind_configmap(ctx, plan, "file", os.path.basename(host.path), {key: host.content})
    vol = f"bind-{index}"
    plan.volumes.append({"name": vol, "configMap": {"name": cm, "items": [{"key": key, "path": key}]}})
    plan.mounts.append({"name": vol, "mountPath": mount.target, "subPath": key, "readOnly": True})
    t.approximated(source, [f"ConfigMap/{cm}", plan.container_field(f"volumeMounts[name={vol}]")], "R-VOL-02",
                   f"content of {ctx.show_path(host.path)} read from the converting machine"
                   + ("" if mount.read_only else "; mounted read-only"))


@rule("R-VOL-03", "read-only bind mount of a small directory → ConfigMap with items", keys=("volumes",))
def bind_directory(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str, index: int,
                   *, host: HostPath) -> None:
    """A directory of the project bind-mounted read-only (`:ro`) whose files are all small (the
    loader read them) is configuration: a ConfigMap `<service>-dir-<name>` with one key per file
    and `items` that put each file back at its relative path, mounted read-only at the target.
    Same differences as R-VOL-02: a snapshot of the project's files, under ~1 MB in total. A
    read-write directory is state, not configuration (R-VOL-10)."""
    t = ctx.tracer(plan)
    assert host.entries is not None
    svc = plan.service
    keys: dict[str, bytes] = {}
    items = []
    for rel in sorted(host.entries):
        key = config_key(rel.replace("/", "__"))
        while key in keys:
            key = "_" + key
        keys[key] = host.entries[rel]
        items.append({"key": key, "path": rel})
    cm = _bind_configmap(ctx, plan, "dir", os.path.basename(host.path.rstrip("/")) or "root", keys)
    vol = f"bind-{index}"
    plan.volumes.append({"name": vol, "configMap": {"name": cm, "items": items}})
    plan.mounts.append({"name": vol, "mountPath": mount.target, "readOnly": True})
    t.approximated(source, [f"ConfigMap/{cm}", plan.container_field(f"volumeMounts[name={vol}]")], "R-VOL-03",
                   f"{len(items)} file(s) of {ctx.show_path(host.path)} read when converting")


def _bind_configmap(ctx: Context, plan: ServicePlan, what: str, base: str, files: dict[str, bytes]) -> str:
    name = dns_label(f"{plan.name}-{what}-{base}", 253)
    existing = {o.name for o in ctx.objects if o.kind == "ConfigMap"}
    candidate, n = name, 2
    while candidate in existing:
        candidate, n = f"{name}-{n}", n + 1
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    for key, content in files.items():
        try:
            data[key] = content.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(content).decode()
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": metadata(ctx, candidate, plan.name)}
    if data:
        body["data"] = data
    if binary:
        body["binaryData"] = binary
    ctx.add(plan.service.name, body)
    return candidate


DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
# Bind targets whose content is scratch (caches, temporary files): an emptyDir, not a claim.
SCRATCH_PREFIXES = ("/tmp", "/var/tmp", "/var/cache", "/run")
SCRATCH_NAMES = {"tmp", "temp", "cache", ".cache"}


def bind_mount(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str, index: int) -> None:
    """Dispatch a bind mount by what is at its source (the loader looked, the translator never
    does): host path → R-VOL-09; file → R-VOL-02; read-only directory → R-VOL-03; read-write or
    missing directory → R-VOL-10; the rest → R-VOL-04."""
    t = ctx.tracer(plan)
    path = mount.source or ""
    host = ctx.project.host_paths.get(path)
    svc = plan.service
    if host is None and path in ctx.project.home_paths:  # a Project built without the loader
        host = HostPath(path=path, kind="home", host_path=ctx.project.home_paths[path])
    elif host is None:  # a Project built without the loader: judge by the path alone
        inside = path == ctx.project.working_dir or path.startswith(ctx.project.working_dir.rstrip("/") + "/")
        host = HostPath(path=path, kind="missing" if inside else "outside", host_path=None if inside else path)
    total = 0
    if host.kind == "dir" and host.entries is not None:
        total = sum(stored_size(v) for v in host.entries.values())
    elif host.content is not None:
        total = stored_size(host.content)
    if host.kind == "home":
        _home_path_mount(ctx, plan, mount, source, host.host_path or path)
    elif host.kind == "outside":
        # The loader keeps an absolute path as written, as Compose does (`${PWD}/../x`);
        # a hostPath may not contain `..`, so it gets the path lexically cleaned.
        host_path_mount(ctx, plan, mount, source, index, host_path=posixpath.normpath(host.host_path or path),
                        why=host.note or "outside the project directory")
    elif host.kind == "missing":
        state_directory(ctx, plan, mount, source, index, why="does not exist: Compose creates it as an empty directory")
    elif host.kind == "dir" and _inside_build_context(plan, host.path):
        dev_only_mount(ctx, plan, mount, source, "source tree of the service's own build (already in the image)")
    elif host.kind == "dir" and not mount.read_only:
        state_directory(ctx, plan, mount, source, index, why="a read-write directory: the service keeps state there")
    elif host.kind == "other":
        dev_only_mount(ctx, plan, mount, source, f"{ctx.show_path(path)} is not a regular file or directory")
    elif total > CONFIGMAP_LIMIT:
        dev_only_mount(ctx, plan, mount, source, f"{total} bytes: too big for a ConfigMap")
    elif host.kind == "file" and host.content is not None:
        bind_file(ctx, plan, mount, source, index, host=host)
    elif host.kind == "dir" and host.entries is not None:
        bind_directory(ctx, plan, mount, source, index, host=host)
    else:
        why = f"({host.note})" if host.note else "too big to carry in a ConfigMap"
        dev_only_mount(ctx, plan, mount, source, f"{ctx.show_path(path)} {why}")
    extras = [k for k in ("propagation", "selinux", "consistency") if getattr(mount, k)]
    if extras and host.kind not in ("outside", "home"):
        t.unsupported(f"{source}.{extras[0]}", "R-VOL-04",
                      "bind options " + ", ".join(extras) + " have no meaning without a host path",
                      "bind options " + ", ".join(extras) + " are dropped")


@rule("R-VOL-09", "bind mount of a host path (outside the project) → hostPath volume (never read)",
      keys=("volumes",))
def host_path_mount(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str, index: int,
                    *, host_path: str, why: str) -> None:
    """A bind source outside the project directory (an absolute path such as `/proc` or
    `/var/log`, or a symlink in the project that leaves it) names a file of the machine Compose
    runs on. kubemap never opens, reads or stats it (the output must not depend
    on the converting machine, and reading `/proc/kmsg` never returns): it becomes a `hostPath`
    volume with the same path, `readOnly` kept, and a finding. A hostPath ties the pod to what
    the node it lands on has at that path, and Pod Security `baseline` forbids it. The Docker
    socket gets `type: Socket` and a warning: containerd nodes (kind, most clusters) have none,
    so the pod stays in ContainerCreating instead of talking to a socket that is not there.
    The workload's pod template carries `lint.kubemap.io/accept-host-paths` so `kubemap lint`
    accepts exactly these paths. `propagation` is kept as `mountPropagation`. A `~` path names the
    home directory of whoever runs Compose: it is not mounted at all (no node path corresponds, and
    HOME differs between machines, so a hostPath from it would make the output depend on the
    converting machine); it is reported as not converted (KM-W-HOME-PATH) with how to carry the
    files instead."""
    t = ctx.tracer(plan)
    svc = plan.service
    vol = f"bind-{index}"
    spec: dict[str, Any] = {"path": host_path}
    docker = host_path in DOCKER_SOCKETS
    if docker:
        spec["type"] = "Socket"
    plan.volumes.append({"name": vol, "hostPath": spec})
    entry = _mount(vol, mount)
    entry.pop("subPath", None)
    propagation = {"rshared": "Bidirectional", "shared": "Bidirectional", "rslave": "HostToContainer",
                   "slave": "HostToContainer"}.get(mount.propagation or "")
    if propagation:
        entry["mountPropagation"] = propagation
    plan.mounts.append(entry)
    accepted = [p for p in (plan.pod_annotations.get(ACCEPT_HOST_PATHS) or "").split(",") if p]
    plan.pod_annotations[ACCEPT_HOST_PATHS] = ",".join(sorted({*accepted, host_path}))
    t.approximated(source, [plan.pod_field(f"volumes[name={vol}].hostPath"), plan.container_field(f"volumeMounts[name={vol}]")],
                   "R-VOL-09", f"hostPath {host_path} ({why}): the node's file, never read by kubemap")
    if docker:
        ctx.finding("KM-W-DOCKER-SOCK", source,
                    f"{svc.name} mounts the Docker socket {host_path}; containerd nodes (kind, most clusters) have "
                    "none, so the pod will not start there",
                    "drop the mount, or run the service only where a Docker engine runs on the node")
    else:
        ctx.finding("KM-W-HOSTPATH", source,
                    f"{host_path} ({why}) becomes a hostPath volume: the pod sees the file of whichever node "
                    "it runs on, and Pod Security baseline forbids hostPath",
                    "use a ConfigMap/PVC for project data; keep hostPath only for node agents (metrics, logs)")


def _home_path_mount(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str, written: str) -> None:
    """R-VOL-09 for a `~` source: no volume, reported."""
    t = ctx.tracer(plan)
    t.trace(source, [], "R-VOL-09", "unsupported",
            f"{written} is in the home directory of whoever runs Compose: no node path corresponds")
    ctx.finding("KM-W-HOME-PATH", source,
                f"bind mount {written} → {mount.target} is not converted: a ~ path names the home directory of "
                "whoever runs Compose, which no node has (and which differs between machines)",
                f"put the files into a Secret or ConfigMap (kubectl create secret generic NAME --from-file={written}) "
                "and mount that, or write an absolute host path")


def _bind_claim_name(ctx: Context, path: str) -> str:
    rel = os.path.relpath(path, ctx.project.working_dir) if os.path.isabs(path) else path
    parts = [p for p in rel.replace(os.sep, "/").split("/") if p not in ("", ".", "..")]
    return dns_label("bind-" + ("-".join(parts) or "project"), 63)


def _scratch(target: str) -> bool:
    target = target.rstrip("/") or "/"
    return any(target == p or target.startswith(p + "/") for p in SCRATCH_PREFIXES) or \
        os.path.basename(target).lower() in SCRATCH_NAMES


@rule("R-VOL-10", "read-write (or missing) directory bind → PersistentVolumeClaim bind-<path> (emptyDir for scratch)",
      keys=("volumes",))
def state_directory(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str, index: int, *, why: str) -> None:
    """A directory of the project bind-mounted read-write (`./data/db:/var/lib/postgresql/data`)
    is where the service keeps its state, and a source that does not exist is created by Compose
    as an empty directory: both become a PersistentVolumeClaim `bind-<path>` (named after the
    path, so services that bind the same directory share one claim; default size and access mode
    as for named volumes, R-VOL-01) mounted read-write, never a read-only ConfigMap snapshot.
    The claim starts empty: copy existing data in with `kubectl cp`. A target that only holds
    scratch data (`/tmp`, `/var/tmp`, `/var/cache`, `/run`, a `cache` or `tmp` directory) gets an
    `emptyDir` instead, and a missing source mounted `:ro` gets a read-only `emptyDir` (the empty
    directory Compose would mount). Read-only directories that exist are R-VOL-03, files R-VOL-02."""
    t = ctx.tracer(plan)
    svc = plan.service
    path = mount.source or ""
    shown = ctx.show_path(path)
    if mount.read_only or _scratch(mount.target):
        vol = f"bind-{index}"
        plan.volumes.append({"name": vol, "emptyDir": {}})
        plan.mounts.append(_mount(vol, mount))
        scratch = _scratch(mount.target) and not mount.read_only
        what = "scratch data" if scratch else "an empty read-only directory"
        t.approximated(source, [plan.pod_field(f"volumes[name={vol}]"), plan.container_field(f"volumeMounts[name={vol}]")],
                       "R-VOL-10", f"{shown} {why}; emptyDir for {what}")
        if scratch:
            ctx.finding("KM-W-BIND-EMPTY", source, f"bind mount {shown} → {mount.target} holds scratch data: an "
                        "emptyDir, deleted with the pod", "use a named volume if the data must outlive the pod")
        else:
            ctx.finding("KM-W-BIND-EMPTY", source, f"bind mount {shown} → {mount.target}: {why}; an empty "
                        "read-only emptyDir stands in", "create the directory with the files (a ConfigMap), or bake "
                        "them into the image")
        return
    claim = _bind_claim_name(ctx, path)
    settings = pvc_settings(ctx, claim, plan)
    if not any(v["name"] == claim for v in plan.volumes):
        plan.volumes.append({"name": claim, "persistentVolumeClaim": {"claimName": claim}})
    plan.mounts.append(_mount(claim, mount))
    if settings["access_mode"] in RWO_MODES:
        plan.rwo_claims.append(claim)
    users = ctx.bind_claims.setdefault(claim, {"path": path, "users": [], "settings": settings, "source": source})
    if plan.name not in users["users"]:
        users["users"].append(plan.name)
    t.approximated(source, [f"PersistentVolumeClaim/{claim}", plan.container_field(f"volumeMounts[name={claim}]")],
                   "R-VOL-10", f"{shown} {why}: PVC {claim} (starts empty)")
    ctx.finding("KM-W-BIND-STATE", source,
                f"bind mount {shown} → {mount.target}: {why}; it becomes PVC {claim}, which starts empty",
                f"copy existing data in with kubectl cp {shown} <pod>:{mount.target}, or use a named volume")


def build_bind_claims(ctx: Context) -> None:
    """One PersistentVolumeClaim per bind directory R-VOL-10 turned into a claim."""
    for claim in sorted(ctx.bind_claims):
        info = ctx.bind_claims[claim]
        users = info["users"]
        meta = metadata(ctx, claim, users[0] if len(users) == 1 else None)
        owner = next(p for p in ctx.plans.values() if p.name == users[0])
        ctx.add(owner.service.name if len(users) == 1 else None,
                {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
                 "spec": pvc_spec(info["settings"])})
        if len(users) > 1 and info["settings"]["access_mode"] in RWO_MODES:
            ctx.finding("KM-W-PVC-SHARED", info["source"],
                        f"{ctx.show_path(info['path'])} is bind-mounted by {', '.join(users)}; its claim {claim} is "
                        "ReadWriteOnce: their pods must run on the same node",
                        "set x-kubemap: {pvc_access_mode: ReadWriteMany} (needs an RWX storage class)")


def _inside_build_context(plan: ServicePlan, path: str) -> bool:
    build = plan.service.build
    if build is None:
        return False
    context = os.path.normpath(build.context)
    path = os.path.normpath(path)
    return path == context or path.startswith(context + os.sep)


@rule("R-VOL-04", "bind mount of a source tree / too-big or special path → (dev-only, reported)", keys=("volumes",))
def dev_only_mount(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str, why: str) -> None:
    """A bind mount that only makes sense on the developer's machine is not converted and is
    reported as a dev-only mount: a directory inside the service's own build context (live code
    reload; the image already has the code; a single file there is still R-VOL-02), a file or
    read-only directory too big for a ConfigMap (~1 MB), and a source that is neither a regular
    file nor a directory (a FIFO or device inside the project is never opened). Host paths are
    R-VOL-09, state directories R-VOL-10."""
    t = ctx.tracer(plan)
    t.trace(source, [], "R-VOL-04", "unsupported", f"dev-only mount: {why}")
    ctx.finding("KM-W-DEV-MOUNT", source, f"bind mount {ctx.show_path(mount.source)} → {mount.target} not converted: {why}",
                "bake the files into the image, or use a ConfigMap/PVC")


@rule("R-VOL-05", "tmpfs → emptyDir {medium: Memory}", keys=("tmpfs", "volumes"))
def tmpfs_mount(ctx: Context, plan: ServicePlan, target: str, size: int | None, source: str, *, name: str) -> None:
    """A `tmpfs` mount (the `tmpfs:` key or a `type: tmpfs` volume) becomes an
    `emptyDir: {medium: Memory}` with `sizeLimit` from its size, mounted at the same path. Its
    memory counts against the container's memory limit, as under Docker; `mode` is dropped."""
    t = ctx.tracer(plan)
    empty_dir: dict[str, Any] = {"medium": "Memory"}
    if size:
        empty_dir["sizeLimit"] = memory_quantity(size)
    plan.volumes.append({"name": name, "emptyDir": empty_dir})
    plan.mounts.append({"name": name, "mountPath": target})
    t.mapped(source, [plan.pod_field(f"volumes[name={name}]"), plan.container_field(f"volumeMounts[name={name}]")],
             "R-VOL-05")


@rule("R-VOL-06", "anonymous volume → emptyDir", keys=("volumes",))
def anonymous_volume(ctx: Context, plan: ServicePlan, mount: VolumeMount, source: str, index: int) -> None:
    """An anonymous volume (`volumes: [/data]`) becomes an `emptyDir`: scratch space that
    survives container restarts and is deleted with the pod, close to an anonymous volume that
    `docker compose up --renew-anon-volumes` recreates. Other types (npipe, cluster, image)
    are reported."""
    t = ctx.tracer(plan)
    name = f"anon-{index}"
    plan.volumes.append({"name": name, "emptyDir": {}})
    plan.mounts.append(_mount(name, mount))
    t.mapped(source, [plan.pod_field(f"volumes[name={name}]"), plan.container_field(f"volumeMounts[name={name}]")],
             "R-VOL-06", reason="deleted with the pod")


@rule("R-VOL-07", "top-level volumes → PersistentVolumeClaim objects", keys=("volumes",))
def build_claims(ctx: Context, volume_users: dict[str, list[str]]) -> None:
    """Each top-level volume used by a non-StatefulSet service becomes one PersistentVolumeClaim
    (StatefulSets own theirs through volumeClaimTemplates). `external: true` volumes must exist:
    no PVC is written, the claim is referenced by name. `driver`/`driver_opts` (e.g. a local bind
    volume) have no PVC equivalent and are reported; valid `labels` become PVC labels."""
    for name in sorted(ctx.project.volumes):
        vol = ctx.project.volumes[name]
        s = f"volumes.{name}"
        label = dns_label(name)
        users = volume_users.get(name, [])
        pvc_users = [u for u in users if ctx.plans[u].kind != "StatefulSet" or len(users) > 1]
        if vol.external:
            ctx.trace(s, [f"PersistentVolumeClaim/{label}"], "R-VOL-07", "approximated",
                      "external: the PVC must already exist", service=None)
            ctx.finding("KM-I-EXTERNAL", s, f"external volume {name}: create PVC {label} before applying",
                        severity="info")
            continue
        if not users:
            ctx.trace(s, [], "R-VOL-07", reason="not used by any converted service: no PVC")
            continue
        if (vol.driver and vol.driver != "local") or vol.driver_opts:
            ctx.trace(s + ".driver_opts", [], "R-VOL-07", "unsupported",
                      "volume drivers/options have no PVC equivalent; a default PVC is used")
            ctx.finding("KM-W-UNSUPPORTED", s, f"driver/driver_opts of volume {name} are not converted",
                        "choose a storage class with x-kubemap: {storage_class: ...}")
        if not pvc_users:
            ctx.trace(s, [f"{ctx.plans[u].ref} .spec.volumeClaimTemplates[name={label}]" for u in users],
                      "R-VOL-07", reason="claim template of the StatefulSet")
            continue
        owner = ctx.plans[pvc_users[0]]
        settings = pvc_settings(ctx, name, owner)
        meta = metadata(ctx, label, owner.name if len(users) == 1 else None)
        for k, v in sorted(vol.labels.items()):
            if valid_label(k, v) and not k.startswith("kompose."):  # kompose.*: settings (R-KOMPOSE-01)
                meta["labels"][k] = v  # type: ignore[index]
        ctx.add(pvc_users[0] if len(users) == 1 else None,
                {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": pvc_spec(settings)})
        ctx.trace(s, f"PersistentVolumeClaim/{label}", "R-VOL-07",
                  reason=f"{settings['size']} {settings['access_mode']}"
                  + (f" class {settings['storage_class']}" if settings["storage_class"] else " default class"))
