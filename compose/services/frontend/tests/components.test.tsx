import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { TaskDetail } from "../src/TaskDetail";
import { TaskList } from "../src/TaskList";
import type { Task } from "../src/api";

afterEach(cleanup);

const done: Task = {
  id: "t1", goal: "summarise the note", input: "", status: "done", created_at: "2026-01-01T00:00:00Z",
  started_at: "2026-01-01T00:00:00Z", finished_at: "2026-01-01T00:00:01Z",
  jobs: [{ id: "a", kind: "wordcount", status: "done", depends_on: [], attempts: 1, result: { words: 3 }, error: null }],
};

describe("TaskDetail", () => {
  it("shows each job with its result and the task's progress", () => {
    render(<TaskDetail task={done} />);
    expect(screen.getByTestId("detail-status").textContent).toBe("done");
    expect(screen.getByText("1/1 jobs done", { exact: false })).toBeTruthy();
    expect(screen.getByText('{"words":3}')).toBeTruthy();
  });
});

describe("TaskList", () => {
  it("says so when there are no tasks", () => {
    render(<TaskList tasks={[]} onSelect={() => {}} />);
    expect(screen.getByText("No tasks yet.")).toBeTruthy();
  });

  it("lists tasks with their status", () => {
    render(<TaskList tasks={[done, { ...done, id: "t2", status: "running", goal: "other" }]} onSelect={() => {}} />);
    expect(screen.getAllByTestId("task-status").map((node) => node.textContent)).toEqual(["done", "running"]);
  });
});
