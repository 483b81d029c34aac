"""The registry of translation rules.

Every mapping from a Compose key to Kubernetes is a named, numbered rule: a function decorated
with `@rule(...)`. Its docstring says which Compose key it reads, which Kubernetes field it
writes and what differs; docs/conversion.md is generated from this registry.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True)
class Rule:
    """One documented mapping. `summary` is the rule function's docstring."""

    id: str
    title: str
    compose_keys: tuple[str, ...]
    summary: str


RULES: dict[str, Rule] = {}


def rule(rule_id: str, title: str, *, keys: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Register the decorated function as rule `rule_id`; the function is returned unchanged."""

    def register(func: F) -> F:
        doc = inspect.getdoc(func)
        if not doc:
            raise ValueError(f"rule {rule_id} ({func.__qualname__}) needs a docstring")
        if rule_id in RULES:
            raise ValueError(f"rule id {rule_id} registered twice")
        RULES[rule_id] = Rule(id=rule_id, title=title, compose_keys=keys, summary=doc)
        func.rule_id = rule_id  # type: ignore[attr-defined]
        return func

    return register
