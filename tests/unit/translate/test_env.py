"""R-ENV-01..03: environment and env_file → ConfigMap/Secret via envFrom."""

from __future__ import annotations

import base64

import pytest

from converter.translate.env import looks_secret

from .helpers import codes, has, main, obj, run, service, traces


def test_r_env_01_inline_environment_wins_over_env_file():
    svc = service("app", image="x", environment={"MODE": "inline"},
                  env_file_values={"MODE": "from-file", "OTHER": "1"}, env_files=["/proj/app.env"])
    bundle = run(svc)
    assert obj(bundle, "ConfigMap", "app-env")["data"] == {"MODE": "inline", "OTHER": "1"}
    assert main(bundle)["envFrom"] == [{"configMapRef": {"name": "app-env"}}]
    assert traces(bundle, "services.app.env_file[0]")[0].rule == "R-ENV-01"


def test_r_env_02_secret_looking_keys_go_to_a_secret():
    bundle = run(service("app", image="x", environment={"DB_PASSWORD": "pw", "LOG_LEVEL": "info",
                                                         "DATABASE_URL": "postgres://u:hunter2@db/app"}))
    secret = obj(bundle, "Secret", "app-env")
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {
        "DB_PASSWORD": "pw", "DATABASE_URL": "postgres://u:hunter2@db/app"}
    assert obj(bundle, "ConfigMap", "app-env")["data"] == {"LOG_LEVEL": "info"}
    assert main(bundle)["envFrom"] == [{"configMapRef": {"name": "app-env"}}, {"secretRef": {"name": "app-env"}}]
    assert codes(bundle).count("KM-W-SECRET-ENV") == 2


@pytest.mark.parametrize(
    ("key", "value", "secret"),
    [
        pytest.param("POSTGRES_PASSWORD", "x", True, id="R-ENV-02-password"),
        pytest.param("GITHUB_TOKEN", "x", True, id="R-ENV-02-token"),
        pytest.param("AWS_SECRET_ACCESS_KEY", "x", True, id="R-ENV-02-secret"),
        pytest.param("API_KEY", "x", True, id="R-ENV-02-key-word"),
        pytest.param("KEYBOARD_LAYOUT", "x", False, id="R-ENV-02-keyboard-is-not-key"),
        pytest.param("MONKEY", "x", False, id="R-ENV-02-monkey-is-not-key"),
        pytest.param("REDIS_URL", "redis://redis:6379/0", False, id="R-ENV-02-url-without-password"),
        pytest.param("BROKER", "amqp://u:p@rabbit//", True, id="R-ENV-02-url-with-password"),
        pytest.param("POSTGRES_PASSWORD_FILE", "/run/secrets/db", False, id="R-ENV-02-file-path-is-not-secret"),
        pytest.param("PASSWORD_FILE", "inline", True, id="R-ENV-02-file-suffix-without-path"),
        pytest.param("DBPASS", "x", True, id="R-ENV-02-abbreviation-dbpass"),
        pytest.param("REDISPASS", "x", True, id="R-ENV-02-abbreviation-redispass"),
        pytest.param("MYSQL_ROOTPWD", "x", True, id="R-ENV-02-abbreviation-rootpwd"),
        pytest.param("PROXY_BYPASS", "localhost", False, id="R-ENV-02-bypass-is-not-a-password"),
    ],
)
def test_looks_secret(key, value, secret):
    assert looks_secret(key, value) is secret


def test_r_env_03_value_less_variable_is_reported_not_set():
    bundle = run(service("app", image="x", environment={"FROM_SHELL": None, "A": "1"}))
    assert obj(bundle, "ConfigMap", "app-env")["data"] == {"A": "1"}
    assert "KM-W-ENV-UNSET" in codes(bundle)
    assert traces(bundle, "services.app.environment.FROM_SHELL")[0].status == "unsupported"


def test_r_env_01_no_environment_no_objects():
    bundle = run(service("app", image="x"))
    assert not has(bundle, "ConfigMap", "app-env") and "envFrom" not in main(bundle)
