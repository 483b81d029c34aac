"""docs/conversion.md is generated from the rule registry and must not be stale."""

from __future__ import annotations

from pathlib import Path

from converter.render.docs import COMMAND, _load_rules, _text, conversion_markdown

REPO = Path(__file__).resolve().parents[3]


def test_committed_conversion_doc_is_up_to_date() -> None:
    committed = (REPO / "docs" / "conversion.md").read_text(encoding="utf-8")
    assert committed == conversion_markdown(), f"docs/conversion.md is stale: run `{COMMAND}` (make conversion-doc)"


def test_every_rule_and_every_compose_key_it_reads_is_in_the_doc() -> None:
    doc = conversion_markdown()
    rules = _load_rules()
    assert rules, "no rules registered: the translator's rule registry is empty"
    for rule in rules.values():
        assert f"### {rule.id}: {_text(rule.title)}" in doc  # type: ignore[attr-defined]
        for key in rule.compose_keys:  # type: ignore[attr-defined]
            assert f"| `{key}` |" in doc
