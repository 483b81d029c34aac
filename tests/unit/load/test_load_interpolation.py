"""Interpolation (`${V}`, defaults, required, alternatives, `$$`) and the dotenv syntax."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converter.errors import LoadError
from converter.load.dotenv import parse_dotenv
from converter.load.interpolate import InterpolationProblem, substitute

ENV = {"SET": "value", "EMPTY": "", "B": "bee", "PORT": "8080"}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param("${SET}", "value", id="braced"),
        pytest.param("$SET", "value", id="unbraced"),
        pytest.param("$SET.x", "value.x", id="unbraced-stops-at-dot"),
        pytest.param("a${SET}b", "avalueb", id="embedded"),
        pytest.param("${UNSET}", "", id="unset-is-empty"),
        pytest.param("${UNSET:-dflt}", "dflt", id="colon-dash-unset"),
        pytest.param("${EMPTY:-dflt}", "dflt", id="colon-dash-empty"),
        pytest.param("${EMPTY-dflt}", "", id="dash-empty-keeps-empty"),
        pytest.param("${UNSET-dflt}", "dflt", id="dash-unset"),
        pytest.param("${SET:-dflt}", "value", id="colon-dash-set"),
        pytest.param("${SET:+alt}", "alt", id="colon-plus-set"),
        pytest.param("${EMPTY:+alt}", "", id="colon-plus-empty"),
        pytest.param("${EMPTY+alt}", "alt", id="plus-empty"),
        pytest.param("${UNSET+alt}", "", id="plus-unset"),
        pytest.param("${UNSET:-${B:-c}}", "bee", id="nested-default"),
        pytest.param("${UNSET:-${NOPE:-c}}", "c", id="nested-default-twice"),
        pytest.param("${UNSET:-a:b}", "a:b", id="default-with-colon"),
        pytest.param("${UNSET:-}", "", id="empty-default"),
        pytest.param("$$", "$", id="escaped-dollar"),
        pytest.param("$${SET}", "${SET}", id="escaped-braced"),
        pytest.param("$$SET", "$SET", id="escaped-name"),
        pytest.param("cost: 5$", "cost: 5$", id="trailing-dollar"),
        pytest.param("$1 and $ x", "$1 and $ x", id="dollar-not-a-name"),
        pytest.param("${SET:?must}", "value", id="required-set"),
        pytest.param("${EMPTY?must}", "", id="question-empty-is-fine"),
        pytest.param("127.0.0.1:${PORT}:80", "127.0.0.1:8080:80", id="in-a-port"),
        # Compose's brace counting (checked against compose-go's template package):
        pytest.param("${UNSET:-^(\\d{4})$}", "^(\\d{4})$", id="braces-in-default"),
        pytest.param("${UNSET:-a/$${x}@$${y}}", "a/${x}@${y}", id="escaped-braced-in-default"),
        pytest.param("${UNSET:-{x}", "{x", id="unbalanced-brace-in-default"),
        pytest.param("${SET}}", "value}", id="extra-closing-brace"),
        pytest.param("${SET:+alt}y}", "alty}", id="text-after-expression"),
    ],
)
def test_substitute(template: str, expected: str) -> None:
    assert substitute(template, ENV.get) == expected


@pytest.mark.parametrize(
    ("template", "words"),
    [
        pytest.param("${UNSET:?you must set UNSET}", "you must set UNSET", id="colon-question-msg"),
        pytest.param("${EMPTY:?empty not ok}", "empty not ok", id="colon-question-empty"),
        pytest.param("${UNSET?need it}", "need it", id="question-unset"),
        pytest.param("${UNSET:?}", "required variable UNSET", id="no-message"),
        pytest.param("${", "does not start with a variable name", id="unclosed-empty"),
        pytest.param("${A", "never closed", id="unclosed"),
        pytest.param("${A:-\n}", "never closed on its line", id="default-across-lines"),
        pytest.param("${1abc}", "does not start with a variable name", id="bad-name"),
        pytest.param("${A B}", "unexpected", id="space-in-name"),
        pytest.param("${A%b}", "unexpected", id="unknown-operator"),
    ],
)
def test_substitute_errors(template: str, words: str) -> None:
    with pytest.raises(InterpolationProblem) as caught:
        substitute(template, ENV.get)
    assert words in caught.value.message


def test_unset_variable_warns_once() -> None:
    warnings: list[str] = []
    substitute("${NOPE} ${NOPE}", ENV.get, warnings)
    assert warnings == ['the "NOPE" variable is not set; using a blank string']


text_without_dollar = st.text(alphabet=st.characters(blacklist_characters="$"), max_size=30)
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_escaped_text_round_trips(text: str) -> None:
    """Any text with every `$` doubled comes back unchanged."""
    assert substitute(text.replace("$", "$$"), {}.get) == text


# Defaults without braces (Compose counts every brace to find the end of `${...}`) and without
# line breaks (an expression never spans lines in Compose).
plain_default = text_without_dollar.filter(lambda t: not set(t) & set("{}\n"))


@settings(max_examples=200, deadline=None)
@given(names, plain_default, text_without_dollar)
def test_defaults_never_leak_when_set(name: str, default: str, value: str) -> None:
    env = {name: value}
    assert substitute(f"${{{name}-{default}}}", env.get) == value
    if value:
        assert substitute(f"${{{name}:-{default}}}", env.get) == value


@settings(max_examples=200, deadline=None)
@given(names, plain_default)
def test_default_used_when_unset(name: str, default: str) -> None:
    assert substitute(f"${{{name}:-{default}}}", {}.get) == default
    assert substitute(f"${{{name}-{default}}}", {}.get) == default
    assert substitute(f"${{{name}:+{default}}}", {}.get) == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_substitute_only_raises_interpolation_problems(text: str) -> None:
    try:
        substitute(text, ENV.get)
    except InterpolationProblem:
        pass


# ---------------------------------------------------------------- dotenv

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("A=1\nB = 2\n", {"A": "1", "B": "2"}, id="plain-and-spaced"),
        pytest.param("# c\n\nA=1 # note\n", {"A": "1"}, id="comments"),
        pytest.param("A=a#b\n", {"A": "a#b"}, id="hash-without-space-is-value"),
        pytest.param("export A=1\n", {"A": "1"}, id="export-prefix"),
        pytest.param("A='x $B \\n'\n", {"A": "x $B \\n"}, id="single-quotes-literal"),
        pytest.param('A="x\\ny\\t\\"q\\""\n', {"A": 'x\ny\t"q"'}, id="double-quote-escapes"),
        pytest.param('A="line1\nline2"\n', {"A": "line1\nline2"}, id="multiline-double"),
        pytest.param("A='l1\nl2'\nB=3\n", {"A": "l1\nl2", "B": "3"}, id="multiline-single"),
        pytest.param("A=1\nB=${A}2\nC=$A\n", {"A": "1", "B": "12", "C": "1"}, id="interpolation"),
        pytest.param("B=${A:-d}\n", {"B": "d"}, id="default-in-env"),
        pytest.param('A="\\$HOME"\n', {"A": "$HOME"}, id="escaped-dollar-in-double"),
        pytest.param("A: 1\n", {"A": "1"}, id="colon-separator"),
        pytest.param("A=\n", {"A": ""}, id="empty-value"),
        pytest.param("A\n", {"A": None}, id="bare-key-unset"),
        pytest.param("VAR.DOT-DASH=x\n", {"VAR.DOT-DASH": "x"}, id="dots-and-dashes"),
        pytest.param("\ufeffA=1\n", {"A": "1"}, id="utf8-bom"),
        pytest.param("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}, id="crlf"),
        pytest.param("A = \"x\" # c\n", {"A": "x"}, id="quoted-then-comment"),
    ],
)
def test_parse_dotenv(text: str, expected: dict[str, str | None]) -> None:
    assert parse_dotenv(text, ".env") == expected


def test_dotenv_bare_key_takes_the_lookup() -> None:
    assert parse_dotenv("A\n", ".env", {"A": "from-env"}.get) == {"A": "from-env"}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param("A=1\nNOT VALID\n", 2, "expected KEY=VALUE", id="space-in-key"),
        pytest.param('A="open\n', 1, "never closed", id="unclosed-quote"),
        pytest.param("A='x' y\n", 1, "after the closing quote", id="junk-after-quote"),
        pytest.param("=1\n", 1, "expected KEY=VALUE", id="no-key"),
        pytest.param("A=${B:?B is required}\n", 1, "B is required", id="required-var"),
    ],
)
def test_dotenv_errors(text: str, line: int, words: str) -> None:
    with pytest.raises(LoadError) as caught:
        parse_dotenv(text, "x.env")
    assert caught.value.file == "x.env"
    assert caught.value.line == line
    assert words in str(caught.value)
