"""The report's line emitter: each line knows the key path it shows."""

import pytest

from converter.report.lines import emit, first_line_of, index_path, scalar


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"), ("true", '"true"'), ("8080", '"8080"'), ("a: b", '"a: b"'),
        ("", '""'), (None, "null"), (True, "true"), (3, "3"), (1.5, "1.5"), ("/run/x", "/run/x"),
    ],
    ids=["plain", "bool-word", "numeric-string", "colon-space", "empty", "none", "bool", "int", "float", "path"],
)
def test_scalar_quotes_only_when_needed(value: object, expected: str) -> None:
    assert scalar(value) == expected


def test_emit_tags_each_line_with_its_path() -> None:
    lines = emit({"spec": {"ports": [{"name": "http", "port": 80}], "type": "NodePort"}})
    assert [(l.text, l.path) for l in lines] == [
        ("spec:", ".spec"),
        ("  ports:", ".spec.ports"),
        ("    - name: http", ".spec.ports[0].name"),
        ("      port: 80", ".spec.ports[0].port"),
        ("  type: NodePort", ".spec.type"),
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".spec.ports[name=http]", ".spec.ports[1]"),
        (".spec.ports[name=http].port", ".spec.ports[1].port"),
        (".spec.ports[0]", ".spec.ports[0]"),
        (".spec.ports[name=nope].port", ".spec.ports"),
        (".spec.missing.deeper", ".spec"),
    ],
    ids=["selector", "selector-then-key", "index", "unknown-selector-stops", "unknown-key-stops"],
)
def test_index_path_resolves_selectors(path: str, expected: str) -> None:
    body = {"spec": {"ports": [{"name": "grpc", "port": 90}, {"name": "http", "port": 80}]}}
    assert index_path(body, path) == expected


def test_first_line_of_finds_children() -> None:
    lines = emit({"a": {"b": [1, 2]}, "c": 3})
    assert first_line_of(lines, ".a.b[1]") == 3
    assert first_line_of(lines, ".c") == 4
    assert first_line_of(lines, ".zzz") is None
