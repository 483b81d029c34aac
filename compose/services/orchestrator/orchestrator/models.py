"""HTTP request and response bodies (shapes in compose/CONTRACT.md, "HTTP")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

TaskStatus = Literal["pending", "running", "done", "failed"]
JobStatus = Literal["pending", "queued", "running", "done", "failed"]
MAX_GOAL_CHARS = 500


def _no_nul(text: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here as bad input rather than fail in the INSERT.
    if "\x00" in text:
        raise ValueError("must not contain NUL (\\u0000) characters")
    return text


class TaskCreate(BaseModel):
    # Unknown fields are refused so a misspelt "imput" is an error, not silently empty input.
    model_config = ConfigDict(extra="forbid")

    goal: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=MAX_GOAL_CHARS), AfterValidator(_no_nul)]
    input: Annotated[str, AfterValidator(_no_nul)] | None = None


class Job(BaseModel):
    id: UUID
    kind: str
    status: JobStatus
    depends_on: list[UUID]
    attempts: int
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class Task(BaseModel):
    id: UUID
    goal: str
    input: str
    status: TaskStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    jobs: list[Job]


class TaskList(BaseModel):
    tasks: list[Task]
