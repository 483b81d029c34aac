"""The YAML reader: YAML 1.2 scalars like Go's yaml.v3, lines for every key and item, anchors,
merge keys, and the !reset / !override tags."""

from __future__ import annotations

import textwrap

import pytest

from converter.errors import LoadError
from converter.load.yaml_reader import LMap, Override, Reset, locate, plain, read_yaml


def parse(text: str):
    return read_yaml(textwrap.dedent(text).lstrip("\n"), "f.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("80:80", "80:80", id="port-pair-is-a-string-not-base-60"),
        pytest.param("yes", "yes", id="yes-stays-a-string"),
        pytest.param("on", "on", id="on-stays-a-string"),
        pytest.param("true", True, id="true-is-bool"),
        pytest.param("False", False, id="False-is-bool"),
        pytest.param("0755", 0o755, id="leading-zero-octal"),
        pytest.param("0o17", 0o17, id="0o-octal"),
        pytest.param("0x1F", 31, id="hex"),
        pytest.param("1.5", 1.5, id="float"),
        pytest.param("1e3", 1000.0, id="exponent-float"),
        pytest.param("2001-01-01", "2001-01-01", id="dates-stay-strings"),
        pytest.param("~", None, id="tilde-null"),
        pytest.param("null", None, id="null"),
        pytest.param("1_000", "1_000", id="underscores-are-not-numbers"),
        pytest.param("=", "=", id="equals-sign-is-a-string"),
    ],
)
def test_scalars_follow_yaml_1_2(text: str, expected: object) -> None:
    assert parse(f"v: {text}\n")["v"] == expected


def test_every_key_and_item_has_its_line() -> None:
    tree = parse(
        """
        services:
          web:
            image: nginx
            ports:
              - "80:80"
              - "443:443"
        """
    )
    assert locate(tree, ["services", "web", "image"]) == ("f.yaml", 3)
    assert locate(tree, ["services", "web", "ports", 1]) == ("f.yaml", 6)
    assert locate(tree, ["services", "web", "missing"]) == ("f.yaml", 2)


def test_anchor_and_single_merge_key() -> None:
    tree = parse(
        """
        x-base: &base
          image: nginx
          restart: always
        services:
          web:
            <<: *base
            restart: "no"
        """
    )
    assert plain(tree["services"]["web"]) == {"image": "nginx", "restart": "no"}


def test_merge_key_list_first_anchor_wins() -> None:
    tree = parse(
        """
        x-a: &a {image: a, user: a}
        x-b: &b {image: b, hostname: b}
        services:
          web:
            <<: [*a, *b]
        """
    )
    assert plain(tree["services"]["web"]) == {"image": "a", "user": "a", "hostname": "b"}


def test_reset_and_override_tags() -> None:
    tree = parse(
        """
        services:
          web:
            command: !reset
            ports: !override ["8080:80"]
            environment: !reset {}
        """
    )
    web = tree["services"]["web"]
    assert isinstance(web["command"], Reset) and web["command"].value is None
    assert isinstance(web["ports"], Override) and web["ports"].value == ["8080:80"]
    assert isinstance(web["environment"], Reset)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param("a: 1\na: 2\n", 2, "already defined", id="duplicate-key"),
        pytest.param("services:\n  web:\n    image: [\n", 4, "invalid YAML", id="unclosed-flow"),
        pytest.param("a: b: c\n", 1, "invalid YAML", id="mapping-in-scalar"),
        pytest.param("a: *nope\n", 1, "invalid YAML", id="unknown-alias"),
        pytest.param("a: !!python/object:os.system x\n", 1, "invalid YAML", id="unsafe-tag"),
    ],
)
def test_yaml_errors_carry_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(LoadError) as caught:
        read_yaml(text, "f.yaml")
    assert caught.value.file == "f.yaml"
    assert caught.value.line == line
    assert words in str(caught.value)


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    with pytest.raises(LoadError, match="too large"):
        read_yaml("\n".join(lines) + "\n", "bomb.yaml")


def test_numeric_keys_become_strings() -> None:
    tree = parse("labels:\n  80: x\n  true: y\n")
    assert isinstance(tree["labels"], LMap)
    assert set(tree["labels"]) == {"80", "true"}
