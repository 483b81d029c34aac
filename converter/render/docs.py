"""Generate docs/conversion.md from the translation rules (converter/translate/rules.py RULES).

    python -m converter.render.docs > docs/conversion.md     (or: make conversion-doc)

The doc is a rendering of the rule registry, like the manifests are a rendering of a Bundle, so
it lives here; it is the one module of `render` that imports `translate` (for the registry only).
tests/unit/render/test_conversion_doc.py fails when the committed file is stale.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections import defaultdict

DOC_PATH = "docs/conversion.md"
COMMAND = "python -m converter.render.docs > docs/conversion.md"


def _load_rules() -> dict[str, object]:
    # Rules register themselves when their module is imported: import every translate module.
    import converter.translate as package
    from converter.translate.rules import RULES

    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
        importlib.import_module(f"converter.translate.{module}")
    return dict(RULES)


def _rule_order(rule_id: str) -> tuple[str, int, str]:
    match = re.match(r"^(.*?)-(\d+)$", rule_id)
    return (match.group(1), int(match.group(2)), rule_id) if match else (rule_id, 0, rule_id)


def _anchor(rule_id: str) -> str:
    return rule_id.lower()


def _text(text: str) -> str:
    """Rule titles as Markdown text: `<dep>` must not be read as an HTML tag."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|").replace("\n", " ")


def conversion_markdown() -> str:
    rules = _load_rules()
    ordered = sorted(rules.values(), key=lambda r: _rule_order(r.id))  # type: ignore[attr-defined]
    by_key: dict[str, list[object]] = defaultdict(list)
    for rule in ordered:
        for key in rule.compose_keys:  # type: ignore[attr-defined]
            by_key[key].append(rule)

    lines = [
        "# Compose → Kubernetes conversion",
        "",
        f"<!-- Generated from the rules in converter/translate/ by `{COMMAND}`.",
        "     Do not edit by hand: a test fails when this file is stale. -->",
        "",
        "Every mapping kubemap makes is a numbered rule. `kubemap convert` records, for each Compose",
        "key it reads, the rule that handled it and the Kubernetes field(s) it became (`kubemap report`",
        "shows that trace). Keys a rule cannot express are reported as findings, never dropped silently;",
        "`kubemap convert --strict` turns them into errors.",
        "",
        "## By Compose key",
        "",
        "| Compose key | Becomes | Rule |",
        "|---|---|---|",
    ]
    for key in sorted(by_key):
        for rule in by_key[key]:
            lines.append(
                f"| `{key}` | {_cell(rule.title)} | [{rule.id}](#{_anchor(rule.id)}) |"  # type: ignore[attr-defined]
            )
    lines += ["", "## Rules", ""]
    for rule in ordered:
        keys = ", ".join(f"`{k}`" for k in rule.compose_keys) or "—"  # type: ignore[attr-defined]
        lines += [
            f'<a id="{_anchor(rule.id)}"></a>',  # type: ignore[attr-defined]
            f"### {rule.id}: {_text(rule.title)}",  # type: ignore[attr-defined]
            "",
            f"Compose keys: {keys}",
            "",
            rule.summary.strip(),  # type: ignore[attr-defined]
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    sys.stdout.write(conversion_markdown())


if __name__ == "__main__":
    main()
