"""Configuration from the environment, with the contract's names and defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.db import conninfo
from orchestrator.settings import ConfigError, Settings


def test_defaults_match_the_contract() -> None:
    s = Settings.from_env({})
    assert (s.port, s.log_level, s.redis_url) == (8000, "info", "redis://localhost:6379/0")
    assert (s.postgres_host, s.postgres_port, s.postgres_db, s.postgres_user) == (
        "localhost", 5432, "agents", "agents")
    assert s.postgres_password is None
    assert (s.jobs_stream, s.chat_url, s.planner) == ("agent:jobs", "http://localhost:3001",
                                                      "rules")
    assert (s.max_input_bytes, s.chunk_words) == (100_000, 200)


def test_password_file_wins_and_loses_its_trailing_newline(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret value\n")
    s = Settings.from_env({"POSTGRES_PASSWORD_FILE": str(secret), "POSTGRES_PASSWORD": "other"})
    assert s.postgres_password == "s3cret value"
    assert "s3cret" in conninfo(s)
    assert "s3cret" not in repr(s)
    assert Settings.from_env({"POSTGRES_PASSWORD": "other"}).postgres_password == "other"


def test_values_are_read_and_normalised() -> None:
    s = Settings.from_env({"PORT": "9000", "PLANNER": "LLM", "CHAT_URL": "http://chat:3001/",
                           "CHUNK_WORDS": "50", "LOG_LEVEL": "debug"})
    assert (s.port, s.planner, s.chat_url, s.chunk_words, s.log_level) == (
        9000, "llm", "http://chat:3001", 50, "debug")


@pytest.mark.parametrize("env, message", [
    ({"PORT": "0"}, "PORT=0 is out of range"),
    ({"CHUNK_WORDS": "-1"}, "CHUNK_WORDS=-1 is out of range"),
    ({"MAX_INPUT_BYTES": "1e5"}, "MAX_INPUT_BYTES='1e5' is not an integer"),
    ({"LOG_LEVEL": "loud"}, "LOG_LEVEL='loud' is not one of"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' is not a URL"),
    ({"CHAT_URL": "chat:3001"}, "CHAT_URL='chat:3001' is not a URL"),
])
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Settings.from_env(env)
