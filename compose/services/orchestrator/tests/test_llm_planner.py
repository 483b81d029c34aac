"""The llm planner against a stand-in chat service (see chat_standin.py): uses a valid plan,
falls back to the rules planner, and says why, on anything else."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from chat_standin import ChatStandIn, chat_standin
from helpers import closed_port
from orchestrator.planner import JobSpec, LlmPlanner, RulesPlanner, parse_plan, rules_plan

GOAL, INPUT = "Count the words", "alpha beta gamma. delta epsilon."
VALID_PLAN = {"jobs": [
    {"kind": "sha256", "payload": {"text": INPUT}},
    {"kind": "summarize", "payload": {"text": INPUT, "sentences": 1}},
    {"kind": "aggregate", "payload": {}, "depends_on": [0, 1]},
]}


@pytest.fixture
def chat() -> Iterator[ChatStandIn]:
    with chat_standin() as standin:
        yield standin


def plan_with(url: str) -> list[JobSpec]:
    async def run() -> list[JobSpec]:
        async with httpx.AsyncClient() as client:
            planner = LlmPlanner(client, url, RulesPlanner(3), timeout_seconds=5)
            return await planner.plan(GOAL, INPUT)
    return asyncio.run(run())


def test_valid_plan_is_used(chat: ChatStandIn) -> None:
    chat.reply = json.dumps(VALID_PLAN)
    assert plan_with(chat.url) == [
        JobSpec("sha256", {"text": INPUT}),
        JobSpec("summarize", {"text": INPUT, "sentences": 1}),
        JobSpec("aggregate", {}, (0, 1)),
    ]
    [request] = chat.requests
    assert request["path"] == "/chat"
    messages = request["body"]["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert GOAL in messages[1]["content"] and INPUT in messages[1]["content"]


def test_plan_in_a_code_fence_is_accepted(chat: ChatStandIn) -> None:
    chat.reply = "Here is the plan:\n```json\n" + json.dumps(VALID_PLAN) + "\n```"
    assert [job.kind for job in plan_with(chat.url)] == ["sha256", "summarize", "aggregate"]


def test_payload_defaults_are_filled_in() -> None:
    [job] = parse_plan('{"jobs": [{"kind": "keywords", "payload": {"text": "x"}}]}')
    assert job == JobSpec("keywords", {"text": "x", "top": 5})


@pytest.mark.parametrize("reply, reason", [
    ("I cannot help with that.", "no JSON object"),
    ("{not json}", "not valid JSON"),
    ('{"jobs": []}', "jobs"),
    ('{"jobs": [{"kind": "rm -rf", "payload": {}}]}', "jobs.0"),
    ('{"jobs": [{"kind": "wordcount", "payload": {"text": ""}}]}', "text"),
    ('{"jobs": [{"kind": "wordcount", "payload": {"text": "a", "extra": 1}}]}', "extra"),
    ('{"jobs": [{"kind": "wordcount", "payload": {"text": "a"}, "depends_on": [0]}]}',
     "earlier jobs"),
    ('{"jobs": [{"kind": "aggregate", "payload": {}}]}', "nothing to aggregate"),
])
def test_garbage_falls_back_to_rules_and_logs_why(chat: ChatStandIn, reply: str, reason: str,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    chat.reply = reply
    with caplog.at_level(logging.WARNING, logger="orchestrator.planner"):
        assert plan_with(chat.url) == rules_plan(GOAL, INPUT, 3)
    [record] = [r for r in caplog.records if r.name == "orchestrator.planner"]
    assert reason in record.reason  # type: ignore[attr-defined]


def test_http_error_falls_back(chat: ChatStandIn, caplog: pytest.LogCaptureFixture) -> None:
    chat.status = 500
    with caplog.at_level(logging.WARNING, logger="orchestrator.planner"):
        assert plan_with(chat.url) == rules_plan(GOAL, INPUT, 3)
    assert "500" in caplog.records[-1].reason  # type: ignore[attr-defined]


def test_wrong_envelope_falls_back(chat: ChatStandIn) -> None:
    chat.raw_body = b'{"choices": []}'
    assert plan_with(chat.url) == rules_plan(GOAL, INPUT, 3)
    chat.raw_body = b"<html>"
    assert plan_with(chat.url) == rules_plan(GOAL, INPUT, 3)


def test_unreachable_chat_service_falls_back() -> None:
    assert plan_with(f"http://127.0.0.1:{closed_port()}") == rules_plan(GOAL, INPUT, 3)
