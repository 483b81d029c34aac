"""The rules planner: deterministic chunking into wordcount/summarize/keywords + aggregate."""

from __future__ import annotations

import asyncio

from orchestrator.planner import JobSpec, RulesPlanner, chunk_text, rules_plan


def test_chunks_hold_at_most_n_words_and_keep_the_original_text() -> None:
    text = "one two  three\nfour five six\tseven"
    chunks = chunk_text(text, 3)
    assert chunks == ["one two  three", "four five six", "seven"]
    assert chunk_text(text, 100) == [text]


def test_chunk_keeps_line_breaks_inside_it() -> None:
    assert chunk_text("a\nb\nc\nd", 3) == ["a\nb\nc", "d"]


def test_blank_text_has_no_chunks() -> None:
    assert chunk_text("", 5) == []
    assert chunk_text(" \n\t ", 5) == []


def test_plan_per_chunk_three_jobs_and_one_aggregate_of_all() -> None:
    words = " ".join(f"w{i}" for i in range(12))  # 12 words, 5 per chunk -> 3 chunks
    plan = rules_plan("goal", words, 5)
    assert [job.kind for job in plan] == ["wordcount", "summarize", "keywords"] * 3 + ["aggregate"]
    assert plan[0] == JobSpec("wordcount", {"text": "w0 w1 w2 w3 w4"})
    assert plan[1] == JobSpec("summarize", {"text": "w0 w1 w2 w3 w4", "sentences": 2})
    assert plan[8] == JobSpec("keywords", {"text": "w10 w11", "top": 5})
    assert plan[-1] == JobSpec("aggregate", {}, tuple(range(9)))
    assert all(job.depends_on == () for job in plan[:-1])


def test_same_input_same_plan() -> None:
    text = "The quick brown fox. " * 100
    assert rules_plan("g", text, 7) == rules_plan("g", text, 7)
    assert asyncio.run(RulesPlanner(7).plan("g", text)) == rules_plan("g", text, 7)


def test_empty_input_plans_one_chunk_of_the_goal() -> None:
    for empty in ("", "   \n"):
        plan = rules_plan("Summarise the goal itself", empty, 200)
        assert len(plan) == 4
        assert {job.payload.get("text") for job in plan[:3]} == {"Summarise the goal itself"}


def test_chunk_size_changes_the_number_of_chunks() -> None:
    text = " ".join(["word"] * 401)
    assert len(rules_plan("g", text, 200)) == 3 * 3 + 1
    assert len(rules_plan("g", text, 401)) == 3 + 1
