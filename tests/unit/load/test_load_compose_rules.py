"""The Docker Compose v5 rules kubemap follows (issue 13), one named case each: what compose-go
derives (implied depends_on, build args), how it splits commands, keeps lists unique, reads
anchors, and what it refuses. tests/corpus/test_compose_reference.py checks the same against
the real Compose; these run without it and say which rule broke."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from converter.errors import LoadError
from converter.load import config_document
from converter.load.shell_words import ShellWordsError, split

from .helpers import load, load_text, write


@pytest.mark.parametrize(
    ("line", "words", "ignored"),
    [
        pytest.param('echo $(x "${FOO}")', ["echo", '$(x "${FOO}")'], None, id="dollar-paren-one-word"),
        pytest.param('sh -c "a b"', ["sh", "-c", "a b"], None, id="double-quotes"),
        pytest.param("a 'b c' d", ["a", "b c", "d"], None, id="single-quotes"),
        pytest.param('x "" y', ["x", "", "y"], None, id="empty-quoted-word"),
        pytest.param('a\\tb "c\\"d"', ["a\tb", 'c"d'], None, id="backslash-escapes"),
        pytest.param("run && later", ["run"], "&& later", id="stops-at-ampersand"),
        pytest.param("echo 2>/dev/null x", ["echo"], ">/dev/null x", id="fd-redirect"),
        pytest.param("a;b", ["a"], ";b", id="semicolon"),
    ],
)
def test_command_words(line: str, words: list[str], ignored: str | None) -> None:
    assert split(line) == (words, ignored)


@pytest.mark.parametrize("line", ['echo "open', "echo (x)", "echo x)", "ends with \\"])
def test_command_words_errors(line: str) -> None:
    with pytest.raises(ShellWordsError):
        split(line)


def test_implied_dependencies(tmp_path: Path) -> None:
    project = load_text(tmp_path, """
        services:
          db: {image: postgres}
          cache: {image: redis, depends_on: {db: {condition: service_healthy}}}
          web: {image: nginx, links: ["db:database", cache], volumes_from: ["cache:ro"]}
          side: {image: busybox, network_mode: "service:web", ipc: "service:db"}
    """)
    web, side, cache = (project.services[n] for n in ("web", "side", "cache"))
    assert {k: (d.condition, d.restart) for k, d in web.depends_on.items()} == {
        "db": ("service_started", True), "cache": ("service_started", True)}
    assert set(side.depends_on) == {"web", "db"}
    assert cache.depends_on["db"].condition == "service_healthy"  # written, not implied


def test_links_both_ways_are_a_cycle(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cycle"):
        load_text(tmp_path, "services:\n  a: {image: x, links: [b]}\n  b: {image: x, links: [a]}\n")


def test_build_args_without_value_come_from_the_environment(tmp_path: Path) -> None:
    write(tmp_path, {".env": "FROM_DOTENV=yes\n", "compose.yaml": """
        services:
          app:
            build: {context: ., args: [FROM_DOTENV, NOWHERE, GIVEN=1]}
    """})
    assert load(tmp_path).services["app"].build.args == {"FROM_DOTENV": "yes", "GIVEN": "1"}


def test_anchor_used_twice_is_interpolated_once_per_use(tmp_path: Path) -> None:
    write(tmp_path, {".env": "X=value\n", "compose.yaml": """
        x-env: &env
          LITERAL: "$${X}"
          VALUE: "${X}"
        services:
          a: {image: x, environment: *env}
          b: {image: x, environment: *env}
    """})
    project = load(tmp_path)
    for name in ("a", "b"):
        assert project.services[name].environment == {"LITERAL": "${X}", "VALUE": "value"}
    assert project.extensions["x-env"] == {"LITERAL": "${X}", "VALUE": "value"}


def test_string_and_list_merge_append(tmp_path: Path) -> None:
    write(tmp_path, {
        "compose.yaml": "services:\n  web: {image: x, dns: 1.1.1.1, tmpfs: /run, dns_search: a}\n",
        "compose.override.yaml": "services:\n  web: {dns: [8.8.8.8, 1.1.1.1], tmpfs: /tmp, dns_search: [b]}\n",
    })
    web = load(tmp_path).services["web"]
    assert (web.dns, web.tmpfs, web.dns_search) == (["1.1.1.1", "8.8.8.8"], ["/run", "/tmp"], ["a", "b"])


def test_ports_are_unique(tmp_path: Path) -> None:
    web = load_text(tmp_path, 'services:\n  web:\n    image: x\n    ports: ["3000", "3000-3002", "8080:80", "8080:80"]\n').services["web"]
    assert [(p.target, p.published) for p in web.ports] == [
        (3000, None), (3001, None), (3002, None), (80, "8080")]
    assert web.sources["ports[1]"].line == 4


def test_unused_resources_are_not_part_of_the_project(tmp_path: Path) -> None:
    write(tmp_path, {"s.txt": "x", "compose.yaml": """
        services:
          web: {image: x, volumes: [used:/d], secrets: [used]}
          off: {image: x, profiles: [p], volumes: [other:/d]}
        volumes: {used: {}, other: {}, never: {}}
        secrets: {used: {file: ./s.txt}, never: {file: ./s.txt}}
        networks: {never: {}}
    """})
    project = load(tmp_path)
    assert (set(project.volumes), set(project.secrets), set(project.networks)) == (
        {"used"}, {"used"}, {"default"})


def test_pwd_is_the_working_directory(tmp_path: Path) -> None:
    write(tmp_path, {".env": "DATA=${PWD}/data\n",
                     "compose.yaml": "services:\n  a: {image: x, environment: {D: $DATA, W: $PWD}}\n"})
    env = load(tmp_path, cwd=str(tmp_path)).services["a"].environment
    assert env == {"D": f"{tmp_path}/data", "W": str(tmp_path)}


def test_develop_watch_is_normalised(tmp_path: Path) -> None:
    develop = load_text(tmp_path, """
        services:
          web:
            image: x
            develop:
              watch:
                - {path: ./src, action: sync+exec, target: /app, include: "*.py", exec: {command: echo hi}}
                - {path: ./cfg, action: sync, target: /cfg, x-initialSync: true}
    """).services["web"].other["develop"]["watch"]
    assert develop[0]["path"] == str(tmp_path / "src")
    assert develop[0]["include"] == ["*.py"]
    assert develop[0]["exec"]["command"] == ["echo", "hi"]
    assert develop[1]["initial_sync"] is True and "x-initialSync" not in develop[1]


def test_config_output_escapes_dollars(tmp_path: Path) -> None:
    project = load_text(tmp_path, 'services:\n  a: {image: x, command: "echo $$HOME"}\n')
    assert config_document(project)["services"]["a"]["command"] == ["echo", "$$HOME"]
    assert "env_file" not in json.dumps(config_document(project))


@pytest.mark.parametrize(
    ("text", "words", "key_path"),
    [
        pytest.param("services:\n  web: {image: x, networks: [front]}\n", "network 'front'",
                     "services.web.networks.front", id="undefined-network"),
        pytest.param("services:\n  web: {image: x, volumes: ['data:/d']}\n", "volume 'data'",
                     "services.web.volumes[0]", id="undefined-volume"),
        pytest.param("services:\n  web: {image: x, depends_on: [db]}\n", "'db', which is not defined",
                     "services.web.depends_on.db", id="undefined-service"),
        pytest.param("services:\n  web: {image: x, network_mode: host, networks: [default]}\n",
                     "network_mode", "services.web.networks", id="network-mode-and-networks"),
        pytest.param("services:\n  web: {image: x, volumes: [':/t.txt']}\n", "is empty",
                     "services.web.volumes[0]", id="empty-volume-section"),
        pytest.param('services:\n  web: {image: x, read_only: ""}\n', "not a boolean",
                     "services.web.read_only", id="read-only-empty"),
        pytest.param("services:\n  web:\n    build: {context: ., platforms: [linux/amd64]}\n"
                     "    platform: linux/arm64\n", "does not include", "services.web.build.platforms",
                     id="build-platforms"),
        pytest.param("services:\n  web: {image: x, container_name: web1, deploy: {replicas: 2}}\n",
                     "container_name", "services.web.container_name", id="container-name-replicas"),
    ],
)
def test_refused_as_compose_refuses(tmp_path: Path, text: str, words: str, key_path: str) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, text)
    err = caught.value
    assert words in err.message
    assert err.key_path == key_path
    assert err.file and err.line and err.hint
