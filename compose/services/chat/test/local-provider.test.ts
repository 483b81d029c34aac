// The local provider's rules, and its task-status answer against a stand-in for the orchestrator.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LocalProvider, summarize, wordChunks } from "../src/providers/local";
import { type ChatFixture, postChat, readSse, startChat, startStandIn, unreachableUrl } from "./helpers";

const TASK_ID = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
const MISSING_ID = "00000000-0000-4000-8000-000000000000";

/** The task JSON of CONTRACT.md ("Orchestrator"), as GET /tasks/{id} returns it. */
const TASK = {
  id: TASK_ID,
  goal: "analyse the report",
  input: "some text",
  status: "running",
  created_at: "2026-01-01T00:00:00Z",
  started_at: "2026-01-01T00:00:01Z",
  finished_at: null,
  jobs: [
    { id: "j1", kind: "wordcount", status: "done", depends_on: [], attempts: 1, result: { words: 2 }, error: null },
    { id: "j2", kind: "summarize", status: "done", depends_on: [], attempts: 1, result: { summary: "x" }, error: null },
    { id: "j3", kind: "keywords", status: "running", depends_on: [], attempts: 1, result: null, error: null },
    { id: "j4", kind: "aggregate", status: "pending", depends_on: ["j1", "j2", "j3"], attempts: 0, result: null, error: null },
  ],
};

describe("local provider: task status via the orchestrator stand-in", () => {
  let orchestratorStandIn: Awaited<ReturnType<typeof startStandIn>>;
  let chat: ChatFixture;
  before(async () => {
    // Stands in for the orchestrator's GET /tasks/{id}; the real one is another service.
    orchestratorStandIn = await startStandIn((req, res) => {
      const found = req.url === `/tasks/${TASK_ID}`;
      res.writeHead(found ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(found ? TASK : { detail: "task not found" }));
    });
    chat = await startChat(new LocalProvider(orchestratorStandIn.url));
  });
  after(async () => {
    await chat?.close();
    await orchestratorStandIn?.close();
  });

  const expected =
    `Task ${TASK_ID} ("analyse the report") is running: 4 jobs (2 done, 1 running, 1 pending).`;

  it("asks GET /tasks/<id> and reports the status and job counts", async () => {
    const before = orchestratorStandIn.requests.length;
    const response = await postChat(chat.baseUrl, { messages: [{ role: "user", content: `What is the status of task ${TASK_ID}?` }] });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { message: { content: string } }).message.content, expected);
    const asked = orchestratorStandIn.requests.slice(before);
    assert.deepEqual(asked.map((r) => `${r.method} ${r.url}`), [`GET /tasks/${TASK_ID}`]);
  });

  it("understands 'task <id> status' and upper-case ids, and streams the same answer", async () => {
    const response = await postChat(chat.baseUrl, {
      stream: true,
      messages: [{ role: "user", content: `task ${TASK_ID.toUpperCase()} status please` }],
    });
    const events = await readSse(response);
    const done = events.at(-1)?.data as { message: { content: string } };
    assert.equal(done.message.content, expected);
    assert.equal(events.length, expected.split(" ").length + 1, "one delta per word plus done");
  });

  it("says so when the orchestrator does not know the task", async () => {
    const response = await postChat(chat.baseUrl, { messages: [{ role: "user", content: `status of task ${MISSING_ID}` }] });
    assert.equal(((await response.json()) as { message: { content: string } }).message.content, `I could not find task ${MISSING_ID}.`);
  });

  it("answers (200) with the reason when the orchestrator is unreachable", async () => {
    const down = await unreachableUrl();
    const provider = new LocalProvider(down);
    const reply = await provider.complete([{ role: "user", content: `status of task ${TASK_ID}` }]);
    assert.equal(reply, `I could not reach the orchestrator at ${down} to look up task ${TASK_ID} (connect ECONNREFUSED ${down.slice(7)}).`);
  });
});

describe("local provider rules", () => {
  const provider = new LocalProvider("http://127.0.0.1:9");
  const reply = (content: string, role: "user" | "system" = "user"): Promise<string> =>
    provider.complete([{ role: "system", content: "be nice" }, { role, content }]);

  it("greets", async () => {
    assert.match(await reply("Hello there"), /^Hello! I am the local assistant/);
  });

  it("echoes", async () => {
    assert.equal(await reply("echo: same bytes back "), "same bytes back");
  });

  it("summarises on request with the most representative sentences in order", async () => {
    const text =
      "Redis keeps the job queue. The weather was nice. Workers read the job queue from Redis streams. Lunch was late.";
    assert.equal(
      await reply(`summarize: ${text}`),
      "Summary (20 words, 4 sentences): Redis keeps the job queue. Workers read the job queue from Redis streams.",
    );
  });

  it("summarises long text without being asked", async () => {
    const long = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} talks about queues and workers.`).join(" ");
    assert.match(await reply(long), /^Summary \(96 words, 12 sentences\): /);
  });

  it("replies deterministically to anything else, from the last user message", async () => {
    assert.equal(
      await provider.complete([
        { role: "user", content: "first" },
        { role: "assistant", content: "..." },
        { role: "user", content: "second one" },
      ]),
      'You said: "second one" (2 words). I am the local assistant (rule-based, no language model). Try: "status of task <id>", "summarize: <text>", "echo <text>", or "help".',
    );
  });

  it("splits replies into word chunks that concatenate back exactly", () => {
    const text = "  two  spaces\tand\nlines ";
    assert.equal(wordChunks(text).join(""), text);
    assert.deepEqual(wordChunks("a b"), ["a ", "b"]);
    assert.deepEqual(wordChunks(""), []);
  });

  it("summarize keeps original order and picks deterministically on ties", () => {
    assert.equal(summarize("One. Two. Three.", 2), "One. Two.");
  });
});
