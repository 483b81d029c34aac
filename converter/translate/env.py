"""environment / env_file → a ConfigMap and a Secret used with envFrom."""

from __future__ import annotations

import base64
import re

from converter.translate.context import Context, ServicePlan, src
from converter.translate.labels import metadata
from converter.translate.rules import rule

_SECRET_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "PRIVATE", "APIKEY")
_SECRET_SEGMENTS = {"PASS", "PWD", "KEY", "AUTH", "SALT", "CERT", "DSN", "JWT", "SIGNATURE"}
# Abbreviations glued to a word: DBPASS, REDISPASS, ROOTPWD, SMTPPASSWORD is caught above.
_SECRET_SUFFIXES = ("PASS", "PWD", "PASSWD")
_NOT_SECRET_WORDS = {"BYPASS", "COMPASS", "SURPASS", "TRESPASS", "OVERPASS", "UNDERPASS"}
_URL_WITH_PASSWORD = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/:@\s]*:[^/@\s]+@")
_ENV_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def looks_secret(key: str, value: str | None) -> bool:
    """Key names with PASSWORD/TOKEN/SECRET/KEY/… (as a word), a word ending in PASS/PWD
    (`DBPASS`, `REDISPASS`; not `BYPASS`), or a URL with a password in it.
    `*_FILE` / `*_PATH` / `*_DIR` variables holding an absolute path name where a secret is,
    not the secret (the postgres image's POSTGRES_PASSWORD_FILE convention)."""
    upper = key.upper()
    if upper.endswith(("_FILE", "_PATH", "_DIR")) and value and value.startswith("/"):
        return False
    if any(word in upper for word in _SECRET_WORDS):
        return True
    segments = re.split(r"[_.\-]", upper)
    if any(seg in _SECRET_SEGMENTS for seg in segments):
        return True
    if any(seg.endswith(_SECRET_SUFFIXES) and seg not in _NOT_SECRET_WORDS for seg in segments):
        return True
    return bool(value and _URL_WITH_PASSWORD.match(value))


@rule("R-ENV-01", "environment / env_file → ConfigMap <service>-env + envFrom",
      keys=("environment", "env_file"))
def map_environment(ctx: Context, plan: ServicePlan) -> None:
    """Plain variables go to a ConfigMap `<service>-env` referenced with `envFrom`, so values
    live in one reviewable object. Inline `environment` wins over `env_file` for the same key
    (Compose's precedence; Kompose gets it backwards). Variables whose name looks secret are
    R-ENV-02; a variable without a value (`environment: [FOO]`, passed through from the shell
    running Compose) has no value at conversion time and is R-ENV-03."""
    t = ctx.tracer(plan)
    svc = plan.service
    merged = svc.merged_environment()
    plain: dict[str, str] = {}
    secret: dict[str, str] = {}
    cm_ref, secret_ref = f"ConfigMap/{plan.name}-env", f"Secret/{plan.name}-env"
    for key in sorted(merged):
        value, origin = merged[key]
        source = src(plan, f"{origin}.{key}")
        if value is None:
            unset_variable(ctx, plan, key, source)
            continue
        if not _ENV_KEY.match(key):
            t.unsupported(source, "R-ENV-01", "not a valid ConfigMap key ([-._a-zA-Z0-9])",
                          f"variable name {key!r} cannot be stored in a ConfigMap")
            continue
        if looks_secret(key, value):
            secret[key] = value
            secret_variable(ctx, plan, key, source)
        else:
            plain[key] = value
            t.mapped(source, f"{cm_ref} .data.{key}", "R-ENV-01")
    env_from = []
    if plain:
        body = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": metadata(ctx, f"{plan.name}-env", plan.name), "data": plain}
        ctx.add(svc.name, body)
        env_from.append({"configMapRef": {"name": f"{plan.name}-env"}})
    if secret:
        data = {k: base64.b64encode(v.encode()).decode() for k, v in secret.items()}
        body = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": metadata(ctx, f"{plan.name}-env", plan.name), "data": data}
        ctx.add(svc.name, body)
        env_from.append({"secretRef": {"name": f"{plan.name}-env"}})
    if env_from:
        plan.container["envFrom"] = env_from
    targets = [t for t, used in ((cm_ref, plain), (secret_ref, secret)) if used]
    if svc.environment or "environment" in svc.keys:
        t.mapped(src(plan, "environment"), targets, "R-ENV-01",
                 reason="inline values win over env_file")
    for i, path in enumerate(svc.env_files):
        t.mapped(src(plan, f"env_file[{i}]"), targets, "R-ENV-01",
                 reason=f"read from {ctx.show_path(path)} at conversion time; inline environment wins")
    if "env_file" in svc.keys and not svc.env_files:
        t.mapped(src(plan, "env_file"), targets, "R-ENV-01", reason="no env files")


@rule("R-ENV-02", "secret-looking variables → Secret <service>-env + envFrom", keys=("environment",))
def secret_variable(ctx: Context, plan: ServicePlan, key: str, source: str) -> None:
    """A variable whose name contains PASSWORD, PASSWD, SECRET, TOKEN, CREDENTIAL, PRIVATE or
    APIKEY, or has a `KEY`/`PASS`/`PWD`/`AUTH`/`SALT`/`CERT`/`DSN`/`JWT` word or a word ending in
    `PASS`/`PWD` (`DBPASS`, `REDISPASS`, not `BYPASS`), or whose value is a URL with a password (but not `*_FILE`/`*_PATH`/`*_DIR` holding an absolute path), goes to a Secret `<service>-env` (also via `envFrom`) instead of the
    ConfigMap, and is reported: the value is now in the manifests, base64-encoded, not
    encrypted. Move it to a real secret store before committing the output."""
    t = ctx.tracer(plan)
    t.mapped(source, f"Secret/{plan.name}-env .data.{key}", "R-ENV-02",
             "secret-looking name or value")
    ctx.finding("KM-W-SECRET-ENV", source,
                f"{key} looks secret; its value is written to Secret {plan.name}-env (base64, not encrypted)",
                "do not commit the generated Secret; use a secret manager or sealed secrets")


@rule("R-ENV-03", "environment variable without value → (reported)", keys=("environment",))
def unset_variable(ctx: Context, plan: ServicePlan, key: str, source: str) -> None:
    """`environment: [NAME]` (or `NAME:` with no value) passes NAME through from the shell that
    runs `docker compose`. At conversion there is no such shell, and kubemap never reads the
    converting user's environment implicitly, so the variable is left out and reported."""
    t = ctx.tracer(plan)
    t.trace(source, [], "R-ENV-03", "unsupported",
            "no value: Compose would take it from the shell at run time")
    ctx.finding("KM-W-ENV-UNSET", source,
                f"{key} has no value (pass-through from the shell); it is not set in Kubernetes",
                f"give it a value in compose or .env (e.g. {key}=${{{key}}} with --use-shell-env)")
