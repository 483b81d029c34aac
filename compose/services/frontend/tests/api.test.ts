import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, ApiError, asTaskList, duration, errorMessage, progress, type Task } from "../src/api";

const task: Task = {
  id: "t1", goal: "g", input: "", status: "running", created_at: "2026-01-01T00:00:00Z",
  started_at: null, finished_at: null,
  jobs: [
    { id: "a", kind: "wordcount", status: "done", depends_on: [], attempts: 1, result: { words: 3 }, error: null },
    { id: "b", kind: "aggregate", status: "pending", depends_on: ["a"], attempts: 0, result: null, error: null },
  ],
};

describe("pure helpers", () => {
  it.each([
    ["stack error", { error: { code: "bad_gateway", message: "upstream down" } }, "upstream down"],
    ["fastapi detail string", { detail: "not found" }, "not found"],
    ["fastapi validation list", { detail: [{ msg: "field required" }] }, "field required"],
    ["unknown shape", { nope: 1 }, undefined],
    ["null", null, undefined],
  ])("errorMessage: %s", (_name, body, expected) => {
    expect(errorMessage(body)).toBe(expected);
  });

  it("progress counts done jobs", () => {
    expect(progress(task)).toBe("1/2 jobs done");
    expect(progress({ ...task, jobs: [] })).toBe("running");
  });

  it("duration is empty until finished", () => {
    expect(duration("2026-01-01T00:00:00Z", null)).toBe("");
    expect(duration("2026-01-01T00:00:00Z", "2026-01-01T00:00:02.5Z")).toBe("2.5 s");
  });

  it("asTaskList accepts a list or an envelope", () => {
    expect(asTaskList([task])).toHaveLength(1);
    expect(asTaskList({ tasks: [task] })).toHaveLength(1);
  });
});

describe("api against a real local HTTP server", () => {
  let server: Server;
  let base: string;
  const seen: { method?: string; url?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, body });
        if (req.url === "/tasks" && req.method === "POST") {
          const parsed = JSON.parse(body);
          if (!parsed.goal) {
            res.writeHead(422, { "Content-Type": "application/json" }).end(JSON.stringify({ detail: [{ msg: "goal is required" }] }));
            return;
          }
          res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify({ ...task, goal: parsed.goal }));
          return;
        }
        if (req.url?.startsWith("/tasks?")) {
          res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify([task]));
          return;
        }
        res.writeHead(502, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { code: "bad_gateway", message: "upstream down" } }));
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it("creates a task with a JSON body", async () => {
    const created = await api.createTask("count words", "a b c", { base });
    expect(created.goal).toBe("count words");
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ goal: "count words", input: "a b c" });
  });

  it("lists tasks", async () => {
    expect(await api.listTasks(5, { base })).toHaveLength(1);
    expect(seen.at(-1)!.url).toBe("/tasks?limit=5");
  });

  it("turns a 422 into an ApiError with the validation message", async () => {
    await expect(api.createTask("", "", { base })).rejects.toMatchObject({ status: 422, message: "goal is required" });
  });

  it("turns a gateway error into an ApiError", async () => {
    const error = await api.chat([{ role: "user", content: "hi" }], undefined, { base }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.message).toBe("upstream down");
  });
});
