import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Task } from "../src/api";
import { App } from "../src/App";
import { PATIENCE_MS, sendJson, startStandIn, type StandIn } from "./standin";

function task(id: string, goal: string, status: Task["status"] = "done"): Task {
  return {
    id, goal, input: "", status, created_at: "2026-01-01T00:00:00Z", started_at: null, finished_at: null,
    jobs: [{ id: `${id}-job`, kind: "wordcount", status: "done", depends_on: [], attempts: 1, result: { words: id.length }, error: null }],
  };
}

/**
 * A stand-in for the gateway's task API. GET /tasks/{id} of an id in `held` is not answered; the
 * stand-in notes when the client gives up on such a request (closes it).
 */
class GatewayStandIn {
  tasks: Task[] = [task("alpha", "first goal"), task("beta", "second goal", "running")];
  held = new Set<string>();
  abandoned: string[] = [];
  server!: StandIn;

  async start(): Promise<void> {
    this.server = await startStandIn((request, res) => this.handle(request.method, request.url, request.body, res));
  }

  private handle(method: string, url: string, body: unknown, res: ServerResponse): void {
    if (method === "GET" && url === "/tasks?limit=20") return sendJson(res, 200, { tasks: this.tasks });
    if (method === "POST" && url === "/tasks") {
      const created = task("gamma", (body as { goal: string }).goal, "pending");
      this.tasks = [created, ...this.tasks];
      return sendJson(res, 201, created);
    }
    const id = decodeURIComponent(url.replace(/^\/tasks\//, ""));
    if (this.held.has(id)) {
      res.once("close", () => { if (!res.writableEnded) this.abandoned.push(id); });
      return;
    }
    const found = this.tasks.find((candidate) => candidate.id === id);
    if (found) return sendJson(res, 200, found);
    sendJson(res, 404, { error: { code: "not_found", message: `no task with id ${id}` } });
  }

  gets(id: string): number {
    return this.server.requests.filter((request) => request.url === `/tasks/${id}`).length;
  }
}

const wait = (assertion: () => void) => waitFor(assertion, { timeout: PATIENCE_MS });

function detail(): HTMLElement {
  return screen.getByRole("region", { name: "task detail" });
}

function taskButton(goal: string): HTMLElement {
  return within(screen.getByRole("list", { name: "tasks" })).getByRole("button", { name: new RegExp(goal) });
}

describe("App against a gateway stand-in", () => {
  let gateway: GatewayStandIn;
  beforeEach(async () => {
    gateway = new GatewayStandIn();
    await gateway.start();
    window.__CONFIG__ = { gatewayUrl: gateway.server.url };
  });
  afterEach(async () => {
    cleanup();
    delete window.__CONFIG__;
    await gateway.server.close();
  });

  it("lists the tasks and shows the selected one's jobs", async () => {
    render(<App />);
    await wait(() => expect(screen.getAllByTestId("task-status").map((node) => node.textContent)).toEqual(["done", "running"]));
    expect(screen.getByText("Select a task.")).toBeTruthy();
    fireEvent.click(taskButton("second goal"));
    await wait(() => expect(within(detail()).getByRole("heading").textContent).toBe("second goal"));
    expect(within(detail()).getByTestId("detail-status").textContent).toBe("running");
    expect(within(detail()).getByText('{"words":4}')).toBeTruthy();
  });

  it("cancels the request for the old task when the selection changes, and never shows it", async () => {
    gateway.held.add("alpha");
    render(<App />);
    await wait(() => expect(screen.getAllByTestId("task-status")).toHaveLength(2));
    fireEvent.click(taskButton("first goal"));
    await wait(() => expect(gateway.gets("alpha")).toBe(1));
    expect(screen.getByText("Loading…")).toBeTruthy();
    fireEvent.click(taskButton("second goal"));
    await wait(() => expect(gateway.abandoned).toEqual(["alpha"]));
    await wait(() => expect(within(detail()).getByRole("heading").textContent).toBe("second goal"));
    // Polling goes on for the new selection only.
    await wait(() => expect(gateway.gets("beta")).toBeGreaterThanOrEqual(2));
    expect(gateway.gets("alpha")).toBe(1);
    expect(within(detail()).getByRole("heading").textContent).toBe("second goal");
  });

  it("selects a task it created and shows it before the next poll", async () => {
    render(<App />);
    fireEvent.change(screen.getByLabelText("Goal"), { target: { value: "count these words" } });
    fireEvent.click(screen.getByRole("button", { name: "Submit task" }));
    await wait(() => expect(within(detail()).getByRole("heading").textContent).toBe("count these words"));
    await wait(() => expect(screen.getAllByTestId("task-status")).toHaveLength(3));
    expect(taskButton("count these words").closest("li")!.className).toBe("selected");
  });

  it("says so when the gateway is unreachable, and recovers", async () => {
    await gateway.server.close();
    render(<App />);
    await wait(() => expect(screen.getByRole("alert").textContent).toMatch(/^gateway unreachable: /));
    gateway = new GatewayStandIn();
    await gateway.start();
    window.__CONFIG__ = { gatewayUrl: gateway.server.url };
    await wait(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(screen.getAllByTestId("task-status")).toHaveLength(2);
  });
});
