// The openai provider against a stand-in for a hosted model: a local HTTP server speaking the
// OpenAI chat-completions wire format (JSON and SSE), which checks the API key from the key file.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../src/config";
import { createProvider } from "../src/providers";
import { OpenAIProvider } from "../src/providers/openai";
import { type ChatFixture, capturingLogger, postChat, readSse, startChat, startStandIn, waitFor } from "./helpers";

const API_KEY = "sk-test-5f2d9c";
const MODEL = "stand-in-model";

interface WireRequest {
  model: string;
  stream: boolean;
  messages: { role: string; content: string }[];
}

/** The stand-in's deterministic reply: proves which model and how many messages it was sent. */
function replyFor(request: WireRequest): string {
  const last = request.messages.at(-1)?.content ?? "";
  return `${request.model} heard ${request.messages.length} messages, last: ${last}`;
}

function sendStream(res: ServerResponse, reply: string): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const chunk = (delta: Record<string, string>, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  // Like real servers: a role-only chunk, content pieces, a finish chunk, then [DONE]; one piece is
  // split mid-line across two writes to exercise the line buffering.
  const pieces = reply.match(/.{1,7}/g) ?? [];
  let wire = chunk({ role: "assistant" }) + pieces.map((piece) => chunk({ content: piece })).join("") + chunk({}, "stop");
  wire += ": keep-alive comment\n\ndata: [DONE]\n\n";
  const middle = Math.floor(wire.length / 2);
  res.write(wire.slice(0, middle));
  setTimeout(() => res.end(wire.slice(middle)), 20);
}

/** Model names that make the stand-in misbehave the way real endpoints sometimes do. */
const BREAKS_MID_STREAM = "breaks-mid-stream";
const NEVER_FINISHES = "never-finishes";
/** Set when the stand-in sees its endless stream's client go away. */
let endlessStreamClosed = false;

function sendBrokenStream(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.end('data: {"choices":[{"delta":{"content":"Half "}}]}\n\ndata: {"choices":[{"delta":{"content":"an "}}]}\n\ndata: {trunc\n\n');
}

function sendEndlessStream(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.write('data: {"choices":[{"delta":{"content":"thinking "}}]}\n\n');
  const ticker = setInterval(() => res.write(": still thinking\n\n"), 50);
  res.once("close", () => {
    clearInterval(ticker);
    endlessStreamClosed = true;
  });
}

describe("openai provider against a hosted-model stand-in", () => {
  let hostedModelStandIn: Awaited<ReturnType<typeof startStandIn>>;
  let chat: ChatFixture;
  let keyDir: string;

  before(async () => {
    hostedModelStandIn = await startStandIn((req, res, body) => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      }
      if (req.headers.authorization !== `Bearer ${API_KEY}`) {
        res.writeHead(401, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error" } }));
      }
      const request = JSON.parse(body) as WireRequest;
      if (request.model === BREAKS_MID_STREAM) return sendBrokenStream(res);
      if (request.model === NEVER_FINISHES) return sendEndlessStream(res);
      const reply = replyFor(request);
      if (request.stream) return sendStream(res, reply);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "chatcmpl-1",
          object: "chat.completion",
          model: request.model,
          choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
    keyDir = mkdtempSync(join(tmpdir(), "chat-key-"));
    writeFileSync(join(keyDir, "llm_api_key"), `${API_KEY}\n`); // secrets usually end with a newline
    // The configuration path the service uses: env names from CONTRACT.md, key from the file.
    const config = loadConfig({
      LLM_PROVIDER: "openai",
      LLM_BASE_URL: `${hostedModelStandIn.url}/v1/`,
      LLM_MODEL: MODEL,
      LLM_API_KEY_FILE: join(keyDir, "llm_api_key"),
    });
    chat = await startChat(createProvider(config));
  });
  after(async () => {
    await chat?.close();
    await hostedModelStandIn?.close();
    if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  });

  it("sends the model, the key and the messages, and returns the completion (non-stream)", async () => {
    const response = await postChat(chat.baseUrl, {
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Say hi" },
      ],
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { message: { content: string }; provider: string };
    assert.equal(body.provider, "openai");
    assert.equal(body.message.content, `${MODEL} heard 2 messages, last: Say hi`);
    const sent = JSON.parse(hostedModelStandIn.requests.at(-1)!.body) as WireRequest;
    assert.deepEqual(sent, {
      model: MODEL,
      stream: false,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Say hi" },
      ],
    });
  });

  it("streams the model's SSE deltas through as delta events and a done event", async () => {
    const response = await postChat(chat.baseUrl, { stream: true, messages: [{ role: "user", content: "Stream me" }] });
    assert.equal(response.status, 200);
    const events = await readSse(response);
    const expected = `${MODEL} heard 1 messages, last: Stream me`;
    const deltas = events.filter((event) => event.event === "delta").map((event) => (event.data as { content: string }).content);
    assert.ok(deltas.length > 3, `expected several deltas, got ${deltas.length}`);
    assert.equal(deltas.join(""), expected);
    assert.equal(events.at(-1)?.event, "done");
    assert.equal((events.at(-1)?.data as { message: { content: string } }).message.content, expected);
    assert.equal((JSON.parse(hostedModelStandIn.requests.at(-1)!.body) as WireRequest).stream, true);
  });

  it("sends the stored history with the next turn of a conversation", async () => {
    const first = (await (await postChat(chat.baseUrl, { messages: [{ role: "user", content: "one" }] })).json()) as {
      conversation_id: string;
    };
    const second = (await (
      await postChat(chat.baseUrl, { conversation_id: first.conversation_id, messages: [{ role: "user", content: "two" }] })
    ).json()) as { message: { content: string } };
    assert.equal(second.message.content, `${MODEL} heard 3 messages, last: two`);
    const sent = JSON.parse(hostedModelStandIn.requests.at(-1)!.body) as WireRequest;
    assert.deepEqual(
      sent.messages.map((message) => `${message.role}:${message.content}`),
      ["user:one", `assistant:${MODEL} heard 1 messages, last: one`, "user:two"],
    );
  });

  it("reports a stream that breaks after it started as an SSE error event, and stores nothing", async () => {
    const broken = await startChat(new OpenAIProvider({ baseUrl: `${hostedModelStandIn.url}/v1`, model: BREAKS_MID_STREAM, apiKey: API_KEY }));
    try {
      const response = await postChat(broken.baseUrl, {
        conversation_id: "broken-stream",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      });
      assert.equal(response.status, 200, "headers were sent with the first piece");
      const events = await readSse(response);
      assert.deepEqual(
        events.map((event) => event.event),
        ["delta", "delta", "error"],
      );
      const error = events[2]!.data as { error: { code: string; message: string } };
      assert.equal(error.error.code, "provider_error");
      assert.match(error.error.message, /sent an invalid stream chunk: \{trunc/);
      assert.equal(await broken.redis.exists(broken.history.key("broken-stream")), 0);
    } finally {
      await broken.close();
    }
  });

  it("stops reading from the model when the client goes away mid-stream", async () => {
    const { logger, lines } = capturingLogger();
    const slow = await startChat(new OpenAIProvider({ baseUrl: `${hostedModelStandIn.url}/v1`, model: NEVER_FINISHES, apiKey: API_KEY }), 3600, logger);
    try {
      const client = new AbortController();
      const response = await fetch(`${slow.baseUrl}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ conversation_id: "left-early", stream: true, messages: [{ role: "user", content: "hi" }] }),
        signal: client.signal,
      });
      const reader = response.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      assert.match(first, /event: delta\ndata: \{"content":"thinking "\}/);
      client.abort();
      await waitFor("the chat service to close its request to the model", () => endlessStreamClosed);
      // The handler's last word on this request: abandoned, or (wrongly) a stored reply. Only after
      // it can the absence of history mean anything.
      await waitFor("the chat service to finish the request", () =>
        lines.some((line) => line.msg === "client left; reply abandoned" || line.msg === "reply"),
      );
      assert.ok(lines.some((line) => line.msg === "client left; reply abandoned"), JSON.stringify(lines));
      assert.equal(await slow.redis.exists(slow.history.key("left-early")), 0, "a partial reply was stored as history");
    } finally {
      await slow.close();
    }
  });

  it("turns a rejected key into 502 JSON with the endpoint's message, plain and streaming", async () => {
    const wrongKeyDir = mkdtempSync(join(tmpdir(), "chat-key-"));
    writeFileSync(join(wrongKeyDir, "key"), "sk-wrong");
    const wrong = await startChat(
      createProvider(
        loadConfig({
          LLM_PROVIDER: "openai",
          LLM_BASE_URL: `${hostedModelStandIn.url}/v1`,
          LLM_MODEL: MODEL,
          LLM_API_KEY_FILE: join(wrongKeyDir, "key"),
        }),
      ),
    );
    try {
      for (const stream of [false, true]) {
        const response = await postChat(wrong.baseUrl, { stream, messages: [{ role: "user", content: "hi" }] });
        assert.equal(response.status, 502);
        const body = (await response.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, "provider_error");
        assert.match(body.error.message, /answered HTTP 401: Incorrect API key provided$/);
        assert.equal(hostedModelStandIn.requests.at(-1)!.headers.authorization, "Bearer sk-wrong");
      }
    } finally {
      await wrong.close();
      rmSync(wrongKeyDir, { recursive: true, force: true });
    }
  });
});
