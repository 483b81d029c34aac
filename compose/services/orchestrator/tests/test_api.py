"""The HTTP API on the real PostgreSQL and Redis: shapes, statuses, filters and limits."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from chat_standin import chat_standin
from helpers import app_of, closed_port, make_client
from orchestrator.dependencies import get_pool
from orchestrator.limits import max_body_bytes
from orchestrator.settings import Settings

TEXT = "One two three four five. Six seven eight nine ten. Eleven twelve."  # 12 words


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/tasks", json={"goal": "analyse", **body})
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error


def test_create_returns_the_task_with_its_planned_jobs(client: TestClient) -> None:
    task = create(client, input=TEXT)
    assert uuid.UUID(task["id"])
    assert (task["goal"], task["input"], task["status"]) == ("analyse", TEXT, "pending")
    assert task["created_at"] and task["started_at"] is None and task["finished_at"] is None
    jobs = task["jobs"]
    # chunk_words=5 in the test settings: 12 words -> 3 chunks -> 9 jobs + aggregate, in order.
    assert [j["kind"] for j in jobs] == ["wordcount", "summarize", "keywords"] * 3 + ["aggregate"]
    assert [j["status"] for j in jobs] == ["queued"] * 9 + ["pending"]
    assert jobs[-1]["depends_on"] == [j["id"] for j in jobs[:-1]]
    assert all(j["depends_on"] == [] and j["attempts"] == 0 and j["result"] is None
               and j["error"] is None for j in jobs[:-1])


def test_goal_is_trimmed_and_input_optional(client: TestClient) -> None:
    task = create(client, goal="  hello world  ")
    assert task["goal"] == "hello world" and task["input"] == ""
    assert len(task["jobs"]) == 4  # one chunk: the goal itself
    assert create(client, input=None)["input"] == ""


def test_get_returns_the_same_task_with_results_of_done_jobs(
        client: TestClient, db: psycopg.Connection) -> None:
    task = create(client, input=TEXT)
    assert client.get(f"/tasks/{task['id']}").json() == task
    # Play a worker for one job, straight in the database.
    job = task["jobs"][0]
    db.execute("UPDATE jobs SET status = 'done', attempts = 1, started_at = now(),"
               " finished_at = now() WHERE id = %s", (job["id"],))
    db.execute("UPDATE tasks SET status = 'running', started_at = now() WHERE id = %s",
               (task["id"],))
    db.execute("INSERT INTO results (job_id, task_id, output) VALUES (%s, %s, %s)",
               (job["id"], task["id"], json.dumps({"words": 5, "lines": 1, "chars": 24})))
    again = client.get(f"/tasks/{task['id']}").json()
    assert again["status"] == "running" and again["started_at"]
    first = again["jobs"][0]
    assert (first["status"], first["attempts"]) == ("done", 1)
    assert first["result"] == {"words": 5, "lines": 1, "chars": 24}
    assert first["started_at"] and first["finished_at"]
    assert all(j["result"] is None for j in again["jobs"][1:])


def test_unknown_task_is_a_json_404(client: TestClient) -> None:
    error = assert_error(client.get(f"/tasks/{uuid.uuid4()}"), 404, "not_found")
    assert "no task with id" in error["message"]


def test_bad_uuid_is_a_json_422(client: TestClient) -> None:
    error = assert_error(client.get("/tasks/not-a-uuid"), 422, "validation_error")
    assert error["details"][0]["loc"] == ["path", "task_id"]


def test_unknown_route_is_a_json_404(client: TestClient) -> None:
    assert_error(client.get("/nowhere"), 404, "not_found")


@pytest.mark.parametrize("body, field", [
    ({}, "goal"),
    ({"goal": ""}, "goal"),
    ({"goal": "   "}, "goal"),
    ({"goal": "x" * 501}, "goal"),
    ({"goal": 42}, "goal"),
    ({"goal": "ok", "input": ["a"]}, "input"),
    ({"goal": "ok", "imput": "typo"}, "imput"),
    ({"goal": "nul\u0000"}, "goal"),
    ({"goal": "ok", "input": "a\u0000b"}, "input"),
])
def test_bad_bodies_are_422_naming_the_field(client: TestClient, body: dict[str, Any],
                                             field: str) -> None:
    error = assert_error(client.post("/tasks", json=body), 422, "validation_error")
    assert ["body", field] in [d["loc"] for d in error["details"]]
    assert field in error["message"]


def test_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post("/tasks", content=b"goal=x",
                           headers={"content-type": "application/json"})
    assert_error(response, 422, "validation_error")


def test_goal_of_exactly_500_chars_is_accepted(client: TestClient) -> None:
    assert len(create(client, goal="g" * 500)["goal"]) == 500


def test_input_over_the_limit_is_413_and_stores_nothing(
        settings: Settings, db: psycopg.Connection) -> None:
    small = dataclasses.replace(settings, max_input_bytes=10)
    with make_client(small) as client:
        assert create(client, input="é" * 5)["input"] == "é" * 5  # exactly 10 bytes in UTF-8
        error = assert_error(client.post("/tasks", json={"goal": "g", "input": "é" * 5 + "x"}),
                             413, "payload_too_large")
    assert "11 bytes" in error["message"] and "10" in error["message"]
    assert db.execute("SELECT count(*) FROM tasks").fetchone() == (1,)


def test_body_too_large_to_hold_a_valid_input_is_413_before_parsing(
        settings: Settings, db: psycopg.Connection) -> None:
    small = dataclasses.replace(settings, max_input_bytes=10)
    with make_client(small) as client:
        worst = json.dumps({"goal": "\U0001F600" * 500, "input": "\x1f" * 10})  # ensure_ascii
        assert len(worst) <= max_body_bytes(10)
        assert client.post("/tasks", content=worst,
                           headers={"content-type": "application/json"}).status_code == 201
        huge = json.dumps({"goal": "g", "input": "x" * 100_000})
        error = assert_error(client.post("/tasks", content=huge,
                                         headers={"content-type": "application/json"}),
                             413, "payload_too_large")
    assert f"the limit is {max_body_bytes(10)}" in error["message"]
    assert db.execute("SELECT count(*) FROM tasks").fetchone() == (1,)


def test_list_is_newest_first_and_limited(client: TestClient) -> None:
    ids = [create(client, goal=f"task {i}")["id"] for i in range(5)]
    listed = client.get("/tasks").json()["tasks"]
    assert [t["id"] for t in listed] == ids[::-1]
    assert all(len(t["jobs"]) == 4 for t in listed)
    assert [t["id"] for t in client.get("/tasks?limit=2").json()["tasks"]] == ids[:2:-1]


def test_list_filters_by_status(client: TestClient, db: psycopg.Connection) -> None:
    first, second = create(client)["id"], create(client)["id"]
    db.execute("UPDATE tasks SET status = 'done' WHERE id = %s", (first,))
    assert [t["id"] for t in client.get("/tasks?status=done").json()["tasks"]] == [first]
    assert [t["id"] for t in client.get("/tasks?status=pending").json()["tasks"]] == [second]
    assert client.get("/tasks?status=failed").json() == {"tasks": []}


def test_list_default_limit_is_20(client: TestClient) -> None:
    for i in range(21):
        create(client, goal=f"t{i}")
    assert len(client.get("/tasks").json()["tasks"]) == 20
    assert len(client.get("/tasks?limit=100").json()["tasks"]) == 21


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "status=sleeping"])
def test_bad_list_parameters_are_422(client: TestClient, query: str) -> None:
    assert_error(client.get(f"/tasks?{query}"), 422, "validation_error")


def test_request_id_is_kept_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "req-123"}).headers[
        "x-request-id"] == "req-123"
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32 and made != client.get("/healthz").headers["x-request-id"]


def test_healthz_and_readyz_when_everything_answers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"postgres": "ok", "redis": "ok"}}


def test_readyz_is_503_when_redis_is_down(settings: Settings, db: psycopg.Connection) -> None:
    down = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    with make_client(down) as client:
        assert client.get("/healthz").status_code == 200  # the process itself is fine
        ready = client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["postgres"] == "ok" and checks["redis"].startswith("error")


def test_readyz_is_503_when_postgres_is_down(settings: Settings) -> None:
    down = dataclasses.replace(settings, postgres_port=closed_port())
    with make_client(down) as client:
        ready = client.get("/readyz")
        assert_error(client.get(f"/tasks/{uuid.uuid4()}"), 503, "database_unavailable")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["redis"] == "ok" and checks["postgres"].startswith("error")


def test_llm_planner_plan_is_stored(settings: Settings, db: psycopg.Connection) -> None:
    with chat_standin() as chat:
        chat.reply = json.dumps({"jobs": [{"kind": "sha256", "payload": {"text": "abc"}},
                                          {"kind": "llm", "payload": {"prompt": "hi"}},
                                          {"kind": "aggregate", "payload": {}, "depends_on": [0]}]})
        llm = dataclasses.replace(settings, planner="llm", chat_url=chat.url)
        with make_client(llm) as client:
            task = create(client, input="abc")
    assert [(j["kind"], j["status"]) for j in task["jobs"]] == [
        ("sha256", "queued"), ("llm", "queued"), ("aggregate", "pending")]
    assert task["jobs"][2]["depends_on"] == [task["jobs"][0]["id"]]
    payloads = [r[0] for r in db.execute("SELECT payload FROM jobs ORDER BY position")]
    assert payloads == [{"text": "abc"}, {"prompt": "hi"}, {}]


def test_wrong_method_is_a_json_405(client: TestClient) -> None:
    assert_error(client.delete("/tasks"), 405, "method_not_allowed")


class BrokenPool:
    """A pool with a bug: not a database outage (that is a 503), an error nobody expects."""

    def connection(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug")


def test_unexpected_error_is_a_json_500_with_the_request_id(client: TestClient) -> None:
    app_of(client).dependency_overrides[get_pool] = BrokenPool
    response = client.get(f"/tasks/{uuid.uuid4()}", headers={"X-Request-ID": "oops-1"})
    error = assert_error(response, 500, "internal")
    assert error["request_id"] == "oops-1" and "bug" not in error["message"]


def test_responses_are_the_declared_models(client: TestClient) -> None:
    """The OpenAPI document promises the models the routes return."""
    paths = client.get("/openapi.json").json()["paths"]

    def schema(path: str, method: str, status: str) -> str:
        ref: str = paths[path][method]["responses"][status]["content"]["application/json"][
            "schema"]["$ref"]
        return ref.rsplit("/", 1)[-1]

    assert schema("/tasks", "post", "201") == "Task"
    assert schema("/tasks/{task_id}", "get", "200") == "Task"
    assert schema("/tasks", "get", "200") == "TaskList"
    assert schema("/readyz", "get", "200") == "Readiness"
    limit = next(p for p in paths["/tasks"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"],
            limit["schema"]["default"]) == (1, 100, 20)
