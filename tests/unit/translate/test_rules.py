"""The rule registry: every rule documented and covered by at least one named unit test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from converter.translate import RULES

HERE = Path(__file__).parent
RULE_ID = re.compile(r"^R-[A-Z]+(-[A-Z]+)*-\d{2}$")


def _referenced_ids() -> set[str]:
    """Rule ids used as a pytest param id prefix (id="R-X-01-...") or in a test name (test_r_x_01_...)."""
    found: set[str] = set()
    for path in HERE.glob("test_*.py"):
        text = path.read_text()
        found.update(m.group(1) for m in re.finditer(r'id="(R-[A-Z]+(?:-[A-Z]+)*-\d{2})', text))
        for m in re.finditer(r"def test_(r(?:_[a-z]+)+_\d{2})_", text):
            found.add(m.group(1).upper().replace("_", "-"))
    return found


def test_every_rule_has_a_unit_test():
    missing = sorted(set(RULES) - _referenced_ids())
    assert not missing, f"rules without a unit test named after them: {missing}"


def test_no_test_names_an_unknown_rule():
    unknown = sorted(_referenced_ids() - set(RULES))
    assert not unknown, f"tests refer to rules that do not exist: {unknown}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_is_documented(rule_id):
    rule = RULES[rule_id]
    assert RULE_ID.match(rule.id)
    assert "→" in rule.title, "title says 'compose key → kubernetes field'"
    assert len(rule.summary) >= 120, "docstring says what key, what field and what differs"
