"""Short syntax -> long syntax: one named case per form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from converter.errors import LoadError
from converter.load.host_paths import HostPaths
from converter.load.problems import Problem
from converter.load.short_syntax import is_windows_path, port_entries, volume_entry
from converter.load.units import (
    UnitError,
    compose_string,
    format_duration,
    parse_bytes,
    parse_duration,
)

from .helpers import load_text

T = {"mode": "ingress", "protocol": "tcp"}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(3000, [{**T, "target": 3000}], id="number"),
        pytest.param("98-101", [{**T, "target": p} for p in (100, 101, 98, 99)],
                     id="range-in-compose-order"),
        pytest.param("8000-8005:80", [{**T, "target": 80, "published": "8000-8005"}],
                     id="host-range-one-container-port"),
        pytest.param("3000", [{**T, "target": 3000}], id="container-only"),
        pytest.param("3000-3002", [{**T, "target": p} for p in (3000, 3001, 3002)],
                     id="container-range"),
        pytest.param("8080:80", [{**T, "target": 80, "published": "8080"}], id="host-container"),
        pytest.param("9090-9091:8080-8081",
                     [{**T, "target": 8080, "published": "9090"},
                      {**T, "target": 8081, "published": "9091"}], id="range-to-range"),
        pytest.param("8000-8002:80", [{**T, "target": 80, "published": "8000-8002"}],
                     id="host-range-one-container-port"),
        pytest.param("127.0.0.1:8001:8001",
                     [{**T, "target": 8001, "published": "8001", "host_ip": "127.0.0.1"}],
                     id="host-ip"),
        pytest.param("127.0.0.1::5000", [{**T, "target": 5000, "host_ip": "127.0.0.1"}],
                     id="host-ip-no-published"),
        pytest.param("[::1]:6001:6001",
                     [{**T, "target": 6001, "published": "6001", "host_ip": "::1"}],
                     id="ipv6-host-ip"),
        pytest.param("6060:6060/udp",
                     [{"mode": "ingress", "protocol": "udp", "target": 6060, "published": "6060"}],
                     id="udp"),
        pytest.param("53/sctp", [{"mode": "ingress", "protocol": "sctp", "target": 53}], id="sctp"),
        pytest.param({"target": 80, "published": 8080, "protocol": "udp", "mode": "host",
                      "name": "web", "app_protocol": "http"},
                     [{"target": 80, "published": "8080", "protocol": "udp", "mode": "host",
                       "name": "web", "app_protocol": "http"}], id="long-form"),
    ],
)
def test_ports(entry: Any, expected: list[dict[str, Any]]) -> None:
    assert port_entries(entry) == expected


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        pytest.param("abc", "not a valid container port", id="not-a-number"),
        pytest.param("70000", "0 to 65535", id="too-big"),
        pytest.param("80/xyz", "not a port protocol", id="bad-protocol"),
        pytest.param("1-3:1-2", "container range has 2", id="range-mismatch"),
        pytest.param("5-3", "ends before it starts", id="reversed-range"),
        pytest.param({"published": 80}, "needs `target`", id="long-without-target"),
        pytest.param(True, "not a valid port", id="boolean"),
        pytest.param("300.1.1.1:80:80", "not an IP address", id="bad-host-ip"),
        pytest.param("8080:", "names no container port", id="no-container-port"),
    ],
)
def test_port_errors(entry: Any, words: str) -> None:
    with pytest.raises(Problem) as caught:
        port_entries(entry)
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param("/data", {"type": "volume", "target": "/data"}, id="anonymous"),
        pytest.param("data:/data", {"type": "volume", "source": "data", "target": "/data"},
                     id="named"),
        pytest.param("data:/data:ro,nocopy",
                     {"type": "volume", "source": "data", "target": "/data", "read_only": True,
                      "volume": {"nocopy": True}}, id="named-ro-nocopy"),
        pytest.param("./src:/app", {"type": "bind", "source": "/proj/src", "target": "/app",
                                    "bind": {"create_host_path": True}}, id="relative-bind"),
        pytest.param("../up:/app:ro", {"type": "bind", "source": "/up", "target": "/app",
                                       "read_only": True, "bind": {"create_host_path": True}},
                     id="parent-bind-ro"),
        pytest.param("/abs:/app:rw,z", {"type": "bind", "source": "/abs", "target": "/app",
                                        "read_only": False,
                                        "bind": {"create_host_path": True, "selinux": "z"}},
                     id="absolute-bind-selinux"),
        pytest.param("~/cfg:/cfg", {"type": "bind", "source": "/home/me/cfg", "target": "/cfg",
                                    "bind": {"create_host_path": True}}, id="home-bind"),
        pytest.param(".:/code:cached,rshared",
                     {"type": "bind", "source": "/proj", "target": "/code",
                      "bind": {"create_host_path": True, "propagation": "rshared"}},
                     id="dot-bind-propagation-cached-ignored"),
        pytest.param("a:b:c:d", {"type": "bind", "source": "/proj/a:b", "target": "c:d",
                                 "bind": {"create_host_path": True}},
                     id="one-letter-sections-are-drives"),
        pytest.param("/abs/../x/:/app/", {"type": "bind", "source": "/abs/../x/", "target": "/app/",
                                          "bind": {"create_host_path": True}},
                     id="absolute-source-kept-as-written"),
        pytest.param("C:\\data:/data", {"type": "bind", "source": "C:\\data", "target": "/data",
                                          "bind": {"create_host_path": True}}, id="windows-source"),
        pytest.param("C:\\a:D:\\b:rw", {"type": "bind", "source": "C:\\a", "target": "D:\\b",
                                         "read_only": False, "bind": {"create_host_path": True}},
                     id="windows-both-sides"),
        pytest.param("c:/x:/y", {"type": "bind", "source": "c:/x", "target": "/y",
                                 "bind": {"create_host_path": True}}, id="windows-forward-slash"),
        pytest.param({"type": "bind", "source": "./x", "target": "/x"},
                     {"type": "bind", "source": "/proj/x", "target": "/x"}, id="long-bind"),
    ],
)
def test_volumes(entry: Any, expected: dict[str, Any]) -> None:
    """The short syntax read as Compose reads it, then a bind source made a host path as the
    loader makes it (the file in /proj, HOME /home/me)."""
    mount = volume_entry(entry)
    if mount["type"] == "bind" and not is_windows_path(mount["source"]):
        mount["source"] = HostPaths("/home/me").absolute(mount["source"], "/proj")
    assert mount == expected


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        pytest.param("vol:/a:ro:extra", "too many", id="too-many-colons"),
        pytest.param("vol:", "section between ':' is empty", id="empty-target"),
        pytest.param(":/text_file.txt", "section between ':' is empty", id="empty-source"),
        pytest.param("", "empty", id="empty"),
        pytest.param({"type": "bind", "source": "/a"}, "needs `target`", id="long-no-target"),
    ],
)
def test_volume_errors(entry: Any, words: str) -> None:
    with pytest.raises(Problem) as caught:
        volume_entry(entry)
    assert words in caught.value.message


def test_unknown_volume_options_are_ignored_and_listed() -> None:
    ignored: list[str] = []
    mount = volume_entry("vol:/b:bogus,ro,cached", ignored=ignored)
    assert mount == {"type": "volume", "source": "vol", "target": "/b", "read_only": True}
    assert ignored == ["bogus", "cached"]


def test_unknown_volume_mode_is_ignored_with_a_warning_as_compose_does(tmp_path: Path) -> None:
    """zabbix-docker writes `:roz`; Compose (compose-go) ignores options it does not know."""
    from .helpers import load_text

    project = load_text(tmp_path, "services:\n  web:\n    image: x\n    volumes: ['./a:/b:roz']\n")
    assert project.services["web"].volumes[0].read_only is False
    assert any("option 'roz' is not a volume option Compose knows; it is ignored" in w
               for w in project.warnings)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("10s", 10.0, id="seconds"),
        pytest.param("1m30s", 90.0, id="minutes-seconds"),
        pytest.param("1.5h", 5400.0, id="fractional-hours"),
        pytest.param("100ms", 0.1, id="millis"),
        pytest.param("1h2m3s", 3723.0, id="h-m-s"),
        pytest.param("500us", 0.0005, id="micros"),
        pytest.param(30, 30.0, id="bare-number-is-seconds"),
        pytest.param("0", 0.0, id="zero"),
    ],
)
def test_durations(text: Any, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["abc", "10", "1x", "s", "10s5"][0:1] + ["1x", "s", "10s5"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UnitError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(90, "1m30s"), (10, "10s"), (3600, "1h0m0s"), (0.5, "500ms"), (0, "0s"), (120, "2m0s")],
    ids=["1m30s", "10s", "1h", "500ms", "zero", "2m"],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("text", "size"),
    [
        pytest.param("512m", 512 * 1024**2, id="m"),
        pytest.param("1gb", 1024**3, id="gb"),
        pytest.param("1.5g", int(1.5 * 1024**3), id="fractional-g"),
        pytest.param(1024, 1024, id="int"),
        pytest.param("2048", 2048, id="digits"),
        pytest.param("64k", 65536, id="k"),
        pytest.param("1KiB", 1024, id="kib"),
        pytest.param("10b", 10, id="b"),
    ],
)
def test_byte_sizes(text: Any, size: int) -> None:
    assert parse_bytes(text) == size


@pytest.mark.parametrize("text", ["lots", "1xb", "-1g"])
def test_bad_byte_sizes(text: str) -> None:
    with pytest.raises(UnitError):
        parse_bytes(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "true"), (False, "false"), (1.5, "1.5"), (1.0, "1"), (42, "42"), (None, None),
     ("x", "x"), (1e20, "100000000000000000000")],
    ids=["true", "false", "float", "integral-float", "int", "none", "str", "big-float"],
)
def test_compose_string(value: Any, text: str | None) -> None:
    assert compose_string(value) == text


# ---------------------------------------------------------------- through the loader

def test_service_normalisation_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "web.env").write_text("FROM_FILE=1\nSHARED=file\n")
    project = load_text(tmp_path, """
        services:
          web:
            image: nginx
            command: echo "a b" c
            environment:
              - SHARED=inline
              - FLAG
              - EMPTY=
            env_file: web.env
            expose: [80, "90-91"]
            tmpfs: /run
            depends_on: [db]
            healthcheck:
              test: curl -f http://localhost/
              interval: 1m30s
              timeout: 10s
              retries: 3
              start_period: 5s
            extra_hosts: ["a:1.1.1.1", "b=2.2.2.2", "a:3.3.3.3"]
            ulimits: {nofile: 1024, nproc: {soft: 10, hard: 20}}
            labels: [x=1, "y"]
            networks: [front]
            secrets: [token, {source: cert, target: /c, mode: 0440}]
            mem_limit: 1g
            cpus: "0.5"
            shm_size: 64m
            stop_grace_period: 1m
            logging: {driver: json-file}
            x-kubemap: {replicas: 2}
          db:
            image: postgres
            healthcheck:
              disable: true
        networks: {front: {}}
        secrets:
          token: {environment: TOKEN}
          cert: {file: ./cert.pem}
    """, environ={"FLAG": "on", "TOKEN": "t0k"}, use_shell_env=True)
    web = project.services["web"]
    assert web.command == ["echo", "a b", "c"]
    assert web.environment == {"SHARED": "inline", "FLAG": "on", "EMPTY": ""}
    assert web.env_file_values == {"SHARED": "file", "FROM_FILE": "1"}
    assert web.merged_environment() == {"FROM_FILE": ("1", "env_file"), "SHARED": ("inline", "environment"),
                                        "FLAG": ("on", "environment"), "EMPTY": ("", "environment")}  # inline wins
    assert web.env_files == [str(tmp_path / "web.env")]
    assert web.expose == ["80", "90-91"]
    assert web.tmpfs == ["/run"]
    assert web.depends_on["db"].condition == "service_started"
    assert web.depends_on["db"].required is True
    assert web.healthcheck is not None
    assert web.healthcheck.test == ["CMD-SHELL", "curl -f http://localhost/"]
    assert (web.healthcheck.interval, web.healthcheck.timeout) == (90.0, 10.0)
    assert web.healthcheck.retries == 3 and web.healthcheck.start_period == 5.0
    assert web.extra_hosts == {"a": ["1.1.1.1", "3.3.3.3"], "b": ["2.2.2.2"]}
    assert web.ulimits["nofile"].soft == web.ulimits["nofile"].hard == 1024
    assert (web.ulimits["nproc"].soft, web.ulimits["nproc"].hard) == (10, 20)
    assert web.labels == {"x": "1", "y": ""}
    assert list(web.networks) == ["front"]
    assert web.secrets[0].source == "token" and web.secrets[0].target is None
    assert (web.secrets[1].target, web.secrets[1].mode) == ("/c", 0o440)
    assert web.mem_limit == 1024**3 and web.cpus == 0.5 and web.shm_size == 64 * 1024**2
    assert web.stop_grace_period == 60.0
    assert web.other == {"logging": {"driver": "json-file"}}
    assert web.extensions == {"x-kubemap": {"replicas": 2}}
    assert web.keys[:3] == ["image", "command", "environment"]
    assert "x-kubemap" in web.keys and "logging" in web.keys
    assert project.services["db"].healthcheck.disable is True
    assert project.services["db"].networks == {"default": None}
    assert project.secrets["token"].environment_value == "t0k"
    assert project.secrets["cert"].file == str(tmp_path / "cert.pem")
    assert project.host_paths[str(tmp_path / "cert.pem")].kind == "missing"


@pytest.mark.parametrize(
    ("test", "expected", "disabled"),
    [
        pytest.param("'echo hi'", ["CMD-SHELL", "echo hi"], False, id="string"),
        pytest.param("[CMD, curl, -f, x]", ["CMD", "curl", "-f", "x"], False, id="exec-list"),
        pytest.param("[CMD-SHELL, 'pg_isready']", ["CMD-SHELL", "pg_isready"], False,
                     id="shell-list"),
        pytest.param("[NONE]", ["NONE"], True, id="none"),
    ],
)
def test_healthcheck_forms(tmp_path: Path, test: str, expected: list[str], disabled: bool) -> None:
    project = load_text(tmp_path, f"services:\n  a:\n    image: x\n    healthcheck:\n      test: {test}\n")
    health = project.services["a"].healthcheck
    assert health is not None and health.test == expected and health.disable is disabled


@pytest.mark.parametrize(
    ("yaml_value", "expected"),
    [("true", "true"), ("1.5", "1.5"), ("10", "10"), ("'007'", "007"), ("null", None),
     ("yes", "yes")],
    ids=["bool", "float", "int", "quoted", "null-pass-through", "yes-string"],
)
def test_environment_values_written_as_compose_writes_them(
    tmp_path: Path, yaml_value: str, expected: str | None
) -> None:
    project = load_text(tmp_path, f"services:\n  a:\n    image: x\n    environment:\n      V: {yaml_value}\n")
    assert project.services["a"].environment == {"V": expected}


def test_port_range_sources_point_at_the_written_line(tmp_path: Path) -> None:
    project = load_text(tmp_path, """
        services:
          a:
            image: x
            ports:
              - "80:80"
              - "9000-9002:9000-9002"
              - "443:443"
    """)
    a = project.services["a"]
    assert len(a.ports) == 5
    assert [a.sources[f"ports[{i}]"].line for i in range(5)] == [5, 6, 6, 6, 7]


def test_bad_value_error_names_key_and_line(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, """
            services:
              api:
                image: x
                ports:
                  - "8080:80"
                  - "abc"
        """)
    err = caught.value
    assert err.key_path == "services.api.ports[1]"
    assert err.line == 6
    assert "'abc' is not a valid container port" in err.message
    assert err.hint


def test_bad_duration_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, "services:\n  a:\n    image: x\n    healthcheck:\n      interval: soon\n")
    assert caught.value.key_path == "services.a.healthcheck.interval"
    assert "not a duration" in caught.value.message
