"""Configuration from the environment (names fixed in compose/CONTRACT.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PLANNERS = ("rules", "llm")
LOG_LEVELS = ("debug", "info", "warning", "error")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and the fix."""


@dataclass(frozen=True)
class Settings:
    port: int = 8000
    log_level: str = "info"
    redis_url: str = "redis://localhost:6379/0"
    postgres_host: str = "localhost"
    postgres_port: int = 5432
    postgres_db: str = "agents"
    postgres_user: str = "agents"
    postgres_password: str | None = field(default=None, repr=False)  # never in logs
    jobs_stream: str = "agent:jobs"
    chat_url: str = "http://localhost:3001"
    planner: str = "rules"
    max_input_bytes: int = 100_000
    chunk_words: int = 200
    # Not shared with other services, so not in the contract: how long the llm planner waits.
    planner_timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            port=_int(env, "PORT", cls.port, minimum=1, maximum=65535),
            log_level=_choice(env, "LOG_LEVEL", cls.log_level, LOG_LEVELS),
            redis_url=_url(env, "REDIS_URL", cls.redis_url, ("redis", "rediss", "unix")),
            postgres_host=env.get("POSTGRES_HOST", cls.postgres_host),
            postgres_port=_int(env, "POSTGRES_PORT", cls.postgres_port, minimum=1, maximum=65535),
            postgres_db=env.get("POSTGRES_DB", cls.postgres_db),
            postgres_user=env.get("POSTGRES_USER", cls.postgres_user),
            postgres_password=_password(env),
            jobs_stream=env.get("JOBS_STREAM", cls.jobs_stream),
            chat_url=_url(env, "CHAT_URL", cls.chat_url, ("http", "https")).rstrip("/"),
            planner=_choice(env, "PLANNER", cls.planner, PLANNERS),
            max_input_bytes=_int(env, "MAX_INPUT_BYTES", cls.max_input_bytes, minimum=1),
            chunk_words=_int(env, "CHUNK_WORDS", cls.chunk_words, minimum=1),
        )


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int,
         maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer; set it to a whole number "
                          f"such as {default}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ConfigError(f"{name}={value} is out of range; it must be {bounds}")
    return value


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name) or default
    parsed = urlsplit(value)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.scheme == "unix"):
        raise ConfigError(f"{name}={value!r} is not a URL of the form "
                          f"{schemes[0]}://host:port (schemes: {', '.join(schemes)})")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def _password(env: Mapping[str, str]) -> str | None:
    """POSTGRES_PASSWORD_FILE (a mounted secret) wins over POSTGRES_PASSWORD."""
    path = env.get("POSTGRES_PASSWORD_FILE")
    if path:
        try:
            # Secret files usually end with a newline that is not part of the password.
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"POSTGRES_PASSWORD_FILE={path!r} cannot be read ({exc.strerror}); "
                              "mount the secret there or unset the variable") from None
    return env.get("POSTGRES_PASSWORD") or None
