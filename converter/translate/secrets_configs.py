"""Top-level secrets / configs → Secret / ConfigMap objects, and their mounts in services."""

from __future__ import annotations

import base64
import posixpath
from typing import Any

from converter.errors import TranslateError
from converter.model import FileObject, FileReference
from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import metadata
from converter.translate.naming import config_key, dns_label
from converter.translate.rules import rule
from converter.translate.storage import duplicate_mount


# Why a secret or config file has no content (host_paths.py decides what is read).
_NOT_READ = {
    "missing": "is missing",
    "file": "is larger than 1 MiB",
    "outside": "is outside the project, so kubemap does not read it (the output must not depend on the machine "
               "that converts): move it into the project",
    "home": "names the home directory of whoever converts, so kubemap does not read it: move it into the project",
}


def _content(ctx: Context, obj: FileObject) -> tuple[bytes | None, str]:
    """The object's bytes and where they came from (for the trace)."""
    if obj.file:
        host = ctx.project.host_paths.get(obj.file)
        if host is not None and host.kind == "file" and host.content is not None:
            return host.content, f"content of {ctx.show_path(obj.file)} read from the converting machine"
        return None, f"{ctx.show_path(obj.file)} {_NOT_READ.get(host.kind if host else 'missing', 'is not a regular file')}"
    if obj.environment:
        if obj.environment_value is None:
            return None, f"variable {obj.environment} has no value"
        return obj.environment_value.encode(), f"value of variable {obj.environment} at conversion"
    if obj.content is not None:
        return obj.content.encode(), "inline content"
    return None, "no file, environment or content"


@rule("R-SECRET-01", "top-level secrets → Secret <name>", keys=("secrets",))
def build_secrets(ctx: Context, names: dict[str, str]) -> None:
    """Each top-level secret becomes a Secret named after it (RFC 1123), with one key, the
    sanitised secret name, holding the file's content (`file:`) or the variable's value
    (`environment:`), base64-encoded. `external: true` secrets must already exist under that
    name and are reported. The value ends up in the manifests: do not commit them."""
    _build(ctx, ctx.project.secrets, names, "secrets", "Secret", rule_id="R-SECRET-01")


@rule("R-CONFIG-01", "top-level configs → ConfigMap <name>", keys=("configs",))
def build_configs(ctx: Context, names: dict[str, str]) -> None:
    """Each top-level config becomes a ConfigMap named after it (RFC 1123) with one key, the
    sanitised config name, holding the file's content, the variable's value or the inline
    `content` (text in `data`, binary in `binaryData`). `external: true` configs must already
    exist under that name and are reported."""
    _build(ctx, ctx.project.configs, names, "configs", "ConfigMap", rule_id="R-CONFIG-01")


def _build(ctx: Context, objects: dict[str, FileObject], names: dict[str, str], section: str,
           kind: str, *, rule_id: str) -> None:
    used = {ref.source for svc in ctx.project.services.values()
            for ref in (svc.secrets if section == "secrets" else svc.configs)}
    for name in sorted(objects):
        obj = objects[name]
        s = f"{section}.{name}"
        label = names[name]
        if obj.external:
            ctx.trace(s, f"{kind}/{label}", rule_id, "approximated", "external: must already exist")
            ctx.finding("KM-I-EXTERNAL", s, f"external {section[:-1]} {name}: create {kind} {label} before applying",
                        severity="info")
            continue
        if name not in used:
            ctx.trace(s, [], rule_id, reason="not used by any converted service")
            continue
        content, origin = _content(ctx, obj)
        if content is None:
            ctx.unsupported(s, rule_id, origin, f"{section[:-1]} {name} has no content: {origin}",
                            "check the file or variable")
            continue
        key = config_key(name)
        body: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata(ctx, label, None)}
        if kind == "Secret":
            body["type"] = "Opaque"
            body["data"] = {key: base64.b64encode(content).decode()}
        else:
            try:
                body["data"] = {key: content.decode("utf-8")}
            except UnicodeDecodeError:
                body["binaryData"] = {key: base64.b64encode(content).decode()}
        ctx.add(None, body)
        ctx.trace(s, f"{kind}/{label} .data.{key}", rule_id, "approximated" if obj.file else "mapped", origin)
        if kind == "Secret":
            ctx.finding("KM-W-SECRET-FILE", s, f"secret {name} is written into Secret {label} (base64, not encrypted)",
                        "do not commit the generated Secret; use a secret manager or sealed secrets")


@rule("R-SECRET-02", "service secrets / configs → volume + subPath mount at the target",
      keys=("secrets", "configs"))
def mount_file_objects(ctx: Context, plan: ServicePlan) -> None:
    """A service's `secrets` entry mounts the Secret's key with `subPath` at the target
    (`/run/secrets/<source>` by default, a relative target is under `/run/secrets/`); a
    `configs` entry mounts the ConfigMap at its target (default `/<source>`). `mode` becomes the
    item's `mode` (Compose's default 0444 is Kubernetes' 0644 default otherwise, so it is set);
    `uid`/`gid` have no per-file equivalent (use `fsGroup`) and are reported. subPath mounts do
    not see later updates of the object; re-apply restarts the pods."""
    svc = plan.service
    for section, refs, kind, vol_key in (("secrets", svc.secrets, "Secret", "secret"),
                                         ("configs", svc.configs, "ConfigMap", "configMap")):
        for i, ref in enumerate(refs):
            _mount_one(ctx, plan, section, i, ref, kind=kind, vol_key=vol_key, names=ctx.names[section])


def _mount_one(ctx: Context, plan: ServicePlan, section: str, index: int, ref: FileReference, *, kind: str,
               vol_key: str, names: dict[str, str]) -> None:
    t = ctx.tracer(plan)
    svc = plan.service
    s = src(plan, f"{section}[{index}]")
    objects = ctx.project.secrets if section == "secrets" else ctx.project.configs
    if ref.source not in objects:
        t.unsupported(s, "R-SECRET-02", f"unknown {section[:-1]} {ref.source!r}",
                      f"{section[:-1]} {ref.source!r} is not defined at the top level")
        return
    label = names.get(ref.source, dns_label(ref.source))
    key = config_key(ref.source)
    default_dir = "/run/secrets" if section == "secrets" else "/"
    target = ref.target or ref.source
    if not target.startswith("/"):
        target = posixpath.join(default_dir, target)
    if any(m["mountPath"].rstrip("/") == target.rstrip("/") for m in plan.mounts):
        duplicate_mount(ctx, plan, s, target, "a volume")
        return
    vol = dns_label(f"{section[:-1]}-{index}-{ref.source}")
    mode = ref.mode if ref.mode is not None else 0o444
    if mode > 0o777 and set(str(mode)) <= set("01234567") and int(str(mode), 8) <= 0o777:
        # `mode: 644` in YAML is decimal 644; the writer meant the octal permission 0644.
        ctx.finding("KM-W-MODE", s + ".mode", f"mode {mode} read as octal 0{mode}",
                    f"write mode: 0{mode} (YAML octal) to say so")
        mode = int(str(mode), 8)
    if not 0 <= mode <= 0o777:
        raise TranslateError(f"mode {mode} ({oct(mode)}) is not a file permission (0 to 0o777)",
                             key_path=s + ".mode", hint="write it as an octal number, e.g. 0440")
    item = {"key": key, "path": key, "mode": mode}
    source_spec: dict[str, Any] = {"items": [item]}
    source_spec["secretName" if kind == "Secret" else "name"] = label
    plan.volumes.append({"name": vol, vol_key: source_spec})
    plan.mounts.append({"name": vol, "mountPath": target, "subPath": key, "readOnly": True})
    status, reason = "mapped", f"mounted at {target} with mode {oct(mode)}"
    if ref.uid or ref.gid:
        status, reason = "approximated", reason + "; uid/gid not converted (owned by root or fsGroup)"
        ctx.finding("KM-W-UNSUPPORTED", s, f"uid/gid of {section[:-1]} {ref.source} are not converted",
                    "set securityContext.fsGroup if the process needs group access")
    t.trace(s, [f"{kind}/{label}", plan.container_field(f"volumeMounts[name={vol}]")], "R-SECRET-02",
            status, reason)
