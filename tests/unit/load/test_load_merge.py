"""The spec's merge rules (compose-spec 13-merge.md), one named case each, plus properties."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converter.load.merge import merge_projects
from converter.load.yaml_reader import plain, read_yaml

from .helpers import load, write


def merged(base: str, override: str) -> Any:
    a = read_yaml(textwrap.dedent(base), "base.yaml")
    b = read_yaml(textwrap.dedent(override), "override.yaml")
    return plain(merge_projects(a, b))


def svc(tree: Any) -> Any:
    return tree["services"]["web"]


@pytest.mark.parametrize(
    ("base", "override", "key", "expected"),
    [
        pytest.param("image: a", "image: b", "image", "b", id="scalar-override-wins"),
        pytest.param("image: a", "user: u", "image", "a", id="missing-key-kept"),
        pytest.param("dns: [1.1.1.1]", "dns: [8.8.8.8]", "dns", ["1.1.1.1", "8.8.8.8"],
                     id="sequence-appends"),
        pytest.param("command: [echo, a]", "command: [echo, b]", "command", ["echo", "b"],
                     id="command-replaced"),
        pytest.param("entrypoint: [sh]", "entrypoint: [bash]", "entrypoint", ["bash"],
                     id="entrypoint-replaced"),
        pytest.param("healthcheck: {test: [CMD, a], retries: 3}",
                     "healthcheck: {test: [CMD, b]}", "healthcheck",
                     {"test": ["CMD", "b"], "retries": 3}, id="healthcheck-test-replaced"),
        pytest.param("environment: [A=1, B=2]", "environment: {B: 3, C: 4}", "environment",
                     {"A": "1", "B": 3, "C": 4}, id="environment-list-and-map-merge-by-key"),
        pytest.param("labels: {a: '1'}", "labels: [b=2]", "labels", {"a": "1", "b": "2"},
                     id="labels-merge-by-key"),
        pytest.param("ports: ['8080:80']", "ports: ['8080:80', '9090:90']", "ports",
                     ["8080:80", "9090:90"], id="ports-unique-by-mapping"),
        pytest.param("ports: ['8080:80']", "ports: ['8081:80']", "ports",
                     ["8080:80", "8081:80"], id="ports-different-published-append"),
        pytest.param("volumes: ['./a:/data']", "volumes: ['./b:/data']", "volumes",
                     ["./b:/data"], id="volumes-unique-by-target"),
        pytest.param("volumes: ['./a:/data']", "volumes: [{type: bind, source: ./c, target: /x}]",
                     "volumes", ["./a:/data", {"type": "bind", "source": "./c", "target": "/x"}],
                     id="volumes-new-target-appends"),
        pytest.param("secrets: [s1]", "secrets: [{source: s1, mode: 0400}]", "secrets",
                     [{"source": "s1", "mode": 0o400}], id="secrets-unique-by-source"),
        pytest.param("depends_on: [db]", "depends_on: {cache: {condition: service_healthy}}",
                     "depends_on", {"db": {"condition": "service_started", "required": True},
                                    "cache": {"condition": "service_healthy"}},
                     id="depends-on-list-and-map"),
        pytest.param("networks: [front]", "networks: {back: {aliases: [b]}}", "networks",
                     {"front": None, "back": {"aliases": ["b"]}}, id="networks-list-and-map"),
        pytest.param("extra_hosts: ['a:1.1.1.1']", "extra_hosts: {b: 2.2.2.2}", "extra_hosts",
                     ["a:1.1.1.1", "b=2.2.2.2"], id="extra-hosts-merge-as-lists"),
        pytest.param("dns: 1.1.1.1", "dns: [8.8.8.8, 1.1.1.1]", "dns", ["1.1.1.1", "8.8.8.8"],
                     id="string-and-list-append"),
        pytest.param("tmpfs: /run", "tmpfs: /tmp", "tmpfs", ["/run", "/tmp"],
                     id="two-strings-append"),
        pytest.param("cap_add: [A, A]", "cap_add: [B]", "cap_add", ["A", "B"],
                     id="set-like-lists-stay-unique"),
        pytest.param("networks: {front: {aliases: [w]}}", "networks: {front: null}", "networks",
                     {"front": {"aliases": ["w"]}}, id="null-keeps-the-earlier-value"),
        pytest.param("volumes: [{type: bind, source: ./a, target: /d, read_only: true}]",
                     "volumes: [{type: bind, source: ./b, target: /d}]", "volumes",
                     [{"type": "bind", "source": "./b", "target": "/d"}],
                     id="same-target-replaces-whole-entry"),
        pytest.param("build: ./a", "build: {dockerfile: D}", "build",
                     {"context": "./a", "dockerfile": "D"}, id="build-string-then-map"),
        pytest.param("build: {args: [A=1]}", "build: {args: {B: 2}}", "build",
                     {"args": {"A": "1", "B": 2}}, id="build-args-merge-by-key"),
        pytest.param("logging: {driver: syslog, options: {a: '1'}}",
                     "logging: {driver: json-file, options: {b: '2'}}", "logging",
                     {"driver": "json-file", "options": {"b": "2"}},
                     id="logging-other-driver-replaces"),
        pytest.param("logging: {driver: syslog, options: {a: '1'}}",
                     "logging: {options: {b: '2'}}", "logging",
                     {"driver": "syslog", "options": {"a": "1", "b": "2"}},
                     id="logging-same-driver-merges"),
        pytest.param("command: [a]", "command: !reset null", "command", None,
                     id="reset-removes"),
        pytest.param("ports: ['80:80']", "ports: !override ['81:81']", "ports", ["81:81"],
                     id="override-replaces-sequence"),
        pytest.param("environment: {A: '1', B: '2'}", "environment: {B: !reset null}",
                     "environment", {"A": "1"}, id="reset-one-map-entry"),
        pytest.param("deploy: {resources: {limits: {cpus: '1'}}}",
                     "deploy: {resources: {limits: {memory: 1g}}}", "deploy",
                     {"resources": {"limits": {"cpus": "1", "memory": "1g"}}},
                     id="nested-maps-merge"),
    ],
)
def test_service_merge_rules(base: str, override: str, key: str, expected: Any) -> None:
    tree = merged(
        f"services:\n  web:\n    {base}\n",
        f"services:\n  web:\n    {override}\n",
    )
    assert svc(tree).get(key) == expected


def test_top_level_maps_merge_and_new_services_are_added() -> None:
    tree = merged(
        "services:\n  a: {image: a}\nvolumes:\n  v1: {}\n",
        "services:\n  b: {image: b}\nvolumes:\n  v2: {driver: local}\n",
    )
    assert set(tree["services"]) == {"a", "b"}
    assert tree["volumes"] == {"v1": {}, "v2": {"driver": "local"}}


def test_reset_a_whole_service() -> None:
    tree = merged("services:\n  a: {image: a}\n  b: {image: b}\n", "services:\n  b: !reset\n")
    assert set(tree["services"]) == {"a"}


def test_merged_values_keep_their_source_line(tmp_path: Path) -> None:
    write(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: a\n    ports: ['80:80']\n",
        "compose.override.yaml": "services:\n  web:\n    image: b\n    ports: ['81:81']\n",
    })
    web = load(tmp_path).services["web"]
    assert web.image == "b"
    assert web.sources["image"].file.endswith("compose.override.yaml")
    assert web.sources["ports[0]"].file.endswith("compose.yaml")
    assert web.sources["ports[1]"].file.endswith("compose.override.yaml")
    assert web.sources["ports[1]"].line == 4


# ---------------------------------------------------------------- properties

keys = st.sampled_from(["image", "user", "hostname", "restart", "working_dir"])
values = st.text(alphabet="abcxyz", min_size=1, max_size=4)
envs = st.dictionaries(st.sampled_from(["A", "B", "C", "D"]), values, max_size=4)
# dns is a set-like list in Compose (duplicates are dropped), so the strategy writes none.
lists = st.lists(st.sampled_from(["1.1.1.1", "8.8.8.8", "9.9.9.9"]), max_size=3, unique=True)


def _service_strategy() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {}, optional={"image": values, "user": values, "environment": envs, "dns": lists,
                      "command": st.lists(values, min_size=1, max_size=3)}
    )


def _tree(service: dict[str, Any]) -> Any:
    return {"services": {"web": service}}


@settings(max_examples=150, deadline=None)
@given(_service_strategy(), _service_strategy())
def test_override_wins_for_every_scalar_and_map_entry(a: dict[str, Any], b: dict[str, Any]) -> None:
    out = svc(plain(merge_projects(_tree(a), _tree(b))))
    for key in ("image", "user", "command"):
        if key in b:
            assert out[key] == b[key]
        elif key in a:
            assert out[key] == a[key]
    for name, value in b.get("environment", {}).items():
        assert out["environment"][name] == value
    expected_dns = a.get("dns", []) + [d for d in b.get("dns", []) if d not in a.get("dns", [])]
    assert out.get("dns", []) == expected_dns


@settings(max_examples=150, deadline=None)
@given(_service_strategy(), _service_strategy(), _service_strategy())
def test_merge_is_associative(a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]) -> None:
    left = merge_projects(merge_projects(_tree(a), _tree(b)), _tree(c))
    right = merge_projects(_tree(a), merge_projects(_tree(b), _tree(c)))
    assert plain(left) == plain(right)


@settings(max_examples=100, deadline=None)
@given(_service_strategy())
def test_merging_with_empty_changes_nothing(a: dict[str, Any]) -> None:
    assert svc(plain(merge_projects(_tree(a), _tree({})))) == a
    assert svc(plain(merge_projects(_tree({}), _tree(a)))) == a


@settings(max_examples=100, deadline=None)
@given(_service_strategy())
def test_merge_does_not_modify_its_inputs(a: dict[str, Any]) -> None:
    base = _tree({"image": "x", "dns": ["1.1.1.1"], "environment": {"A": "1"}})
    snapshot = plain(base)
    merge_projects(base, _tree(a))
    assert plain(base) == snapshot
