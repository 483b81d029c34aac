"""Planners turn a task (goal + input) into jobs for the workers.

A plan is a list of JobSpec; `depends_on` holds indexes of earlier jobs in the same list, so a
valid plan is acyclic by construction. Job ids are given later, when the plan is stored.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

log = logging.getLogger(__name__)

SUMMARY_SENTENCES = 2
TOP_KEYWORDS = 5
MAX_LLM_JOBS = 50


@dataclass(frozen=True)
class JobSpec:
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    depends_on: tuple[int, ...] = ()


class Planner(Protocol):
    async def plan(self, goal: str, input: str) -> list[JobSpec]: ...


def chunk_text(text: str, chunk_words: int) -> list[str]:
    """Split text into pieces of at most chunk_words words.

    Each piece is the original text from its first word to its last, so line breaks inside a
    chunk survive (wordcount counts lines) and the chunks joined by whitespace give the input back.
    """
    words = list(re.finditer(r"\S+", text))
    return [text[words[i].start():words[min(i + chunk_words, len(words)) - 1].end()]
            for i in range(0, len(words), chunk_words)]


def rules_plan(goal: str, input: str, chunk_words: int) -> list[JobSpec]:
    """Deterministic plan: per chunk wordcount, summarize and keywords; one aggregate of all."""
    chunks = chunk_text(input, chunk_words) or [goal]  # nothing to read: work on the goal itself
    jobs: list[JobSpec] = []
    for chunk in chunks:
        jobs.append(JobSpec("wordcount", {"text": chunk}))
        jobs.append(JobSpec("summarize", {"text": chunk, "sentences": SUMMARY_SENTENCES}))
        jobs.append(JobSpec("keywords", {"text": chunk, "top": TOP_KEYWORDS}))
    jobs.append(JobSpec("aggregate", {}, tuple(range(len(jobs)))))
    return jobs


class RulesPlanner:
    def __init__(self, chunk_words: int) -> None:
        self.chunk_words = chunk_words

    async def plan(self, goal: str, input: str) -> list[JobSpec]:
        return rules_plan(goal, input, self.chunk_words)


# --- the shape a model must answer with -------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Text(_Strict):
    text: str = Field(min_length=1)


class _Summarize(_Text):
    sentences: int = Field(SUMMARY_SENTENCES, ge=1, le=20)


class _Keywords(_Text):
    top: int = Field(TOP_KEYWORDS, ge=1, le=50)


class _Prompt(_Strict):
    prompt: str = Field(min_length=1)


class _Empty(_Strict):
    pass


class _PlannedJob(_Strict):
    depends_on: list[int] = Field(default_factory=list)


class _TextJob(_PlannedJob):
    kind: Literal["wordcount", "sha256"]
    payload: _Text


class _SummarizeJob(_PlannedJob):
    kind: Literal["summarize"]
    payload: _Summarize


class _KeywordsJob(_PlannedJob):
    kind: Literal["keywords"]
    payload: _Keywords


class _LlmJob(_PlannedJob):
    kind: Literal["llm"]
    payload: _Prompt


class _AggregateJob(_PlannedJob):
    kind: Literal["aggregate"]
    payload: _Empty = Field(default_factory=_Empty)


_AnyJob = Annotated[_TextJob | _SummarizeJob | _KeywordsJob | _LlmJob | _AggregateJob,
                    Field(discriminator="kind")]


class _Plan(_Strict):
    jobs: list[_AnyJob] = Field(min_length=1, max_length=MAX_LLM_JOBS)

    @model_validator(mode="after")
    def _dependencies_point_back(self) -> _Plan:
        for index, job in enumerate(self.jobs):
            if any(not 0 <= dep < index for dep in job.depends_on):
                raise ValueError(
                    f"jobs[{index}].depends_on must name earlier jobs (0..{index - 1})")
            if len(set(job.depends_on)) != len(job.depends_on):
                raise ValueError(f"jobs[{index}].depends_on repeats a job")
            if job.kind == "aggregate" and not job.depends_on:
                raise ValueError(f"jobs[{index}] is an aggregate with nothing to aggregate")
        return self


SYSTEM_PROMPT = """\
You plan work for a queue of workers. Answer with one JSON object and nothing else:
{"jobs": [{"kind": KIND, "payload": {...}, "depends_on": [indexes of earlier jobs]}]}
Kinds and payloads:
  wordcount {"text": str}; sha256 {"text": str};
  summarize {"text": str, "sentences": int}; keywords {"text": str, "top": int};
  llm {"prompt": str};
  aggregate {} - combines the results of the jobs listed in its depends_on.
depends_on may only name jobs earlier in the list. At most """ + f"{MAX_LLM_JOBS} jobs."


def parse_plan(content: str) -> list[JobSpec]:
    """Validate a model's answer; raises ValueError saying what is wrong."""
    # Models like to wrap JSON in a ```json fence or a sentence: take the outermost object.
    start, end = content.find("{"), content.rfind("}")
    if start < 0 or end < start:
        raise ValueError("the answer holds no JSON object")
    try:
        data = json.loads(content[start:end + 1])
        plan = _Plan.model_validate(data)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the answer is not valid JSON: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "plan"
        raise ValueError(f"the plan is invalid at {where}: {first['msg']}") from None
    return [JobSpec(job.kind, job.payload.model_dump(), tuple(job.depends_on))
            for job in plan.jobs]


class LlmPlanner:
    """Asks the chat service for a plan; any failure falls back to the rules planner."""

    def __init__(self, client: httpx.AsyncClient, chat_url: str, fallback: RulesPlanner,
                 timeout_seconds: float) -> None:
        self.client = client
        self.chat_url = chat_url.rstrip("/")
        self.fallback = fallback
        self.timeout_seconds = timeout_seconds

    async def plan(self, goal: str, input: str) -> list[JobSpec]:
        try:
            content = await self._ask(goal, input)
            jobs = parse_plan(content)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("llm planner failed, using the rules planner",
                        extra={"reason": str(exc) or type(exc).__name__})
            return await self.fallback.plan(goal, input)
        log.info("llm planner made a plan", extra={"jobs": len(jobs)})
        return jobs

    async def _ask(self, goal: str, input: str) -> str:
        request = {"messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Goal: {goal}\n\nInput:\n{input}"},
        ]}
        response = await self.client.post(f"{self.chat_url}/chat", json=request,
                                          timeout=self.timeout_seconds)
        response.raise_for_status()
        content = response.json()["message"]["content"]
        if not isinstance(content, str):
            raise TypeError("message.content is not a string")
        return content


def create_planner(name: str, *, client: httpx.AsyncClient, chunk_words: int, chat_url: str,
                   timeout_seconds: float) -> Planner:
    rules = RulesPlanner(chunk_words)
    if name == "llm":
        return LlmPlanner(client, chat_url, rules, timeout_seconds)
    return rules
