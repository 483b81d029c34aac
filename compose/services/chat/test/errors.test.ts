// Bad input and failing dependencies give JSON errors {"error": {"code", "message"}} with 4xx/5xx.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { createClient } from "redis";
import { HistoryStore } from "../src/history";
import { silentLogger } from "../src/logger";
import { LocalProvider } from "../src/providers/local";
import { OpenAIProvider } from "../src/providers/openai";
import { createChatServer } from "../src/server";
import { type ChatFixture, closeServer, listen, postChat, startChat, unreachableUrl } from "./helpers";

interface ErrorBody {
  error: { code: string; message: string };
}

async function expectError(response: Response, status: number, code: string, message?: RegExp): Promise<ErrorBody> {
  assert.equal(response.status, status);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = (await response.json()) as ErrorBody;
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  if (message) assert.match(body.error.message, message);
  return body;
}

describe("bad requests", () => {
  let chat: ChatFixture;
  before(async () => {
    chat = await startChat(new LocalProvider("http://127.0.0.1:9"));
  });
  after(async () => chat?.close());

  it("400 bad_json for a body that is not JSON", async () => {
    await expectError(await postChat(chat.baseUrl, "{not json"), 400, "bad_json", /not valid JSON/);
  });

  const shapes: [string, unknown, RegExp][] = [
    ["not an object", [1, 2], /^body:/],
    ["no messages", { conversation_id: "x" }, /^messages: must be a non-empty array/],
    ["empty messages", { messages: [] }, /^messages: must be a non-empty array/],
    ["messages not an array", { messages: "hi" }, /^messages:/],
    ["message not an object", { messages: ["hi"] }, /^messages\[0\]: must be an object/],
    ["unknown role", { messages: [{ role: "user", content: "a" }, { role: "robot", content: "b" }] }, /^messages\[1\]\.role: must be one of user, assistant, system/],
    ["content not a string", { messages: [{ role: "user", content: 3 }] }, /^messages\[0\]\.content: must be a string/],
    ["bad conversation id", { conversation_id: "a b", messages: [{ role: "user", content: "a" }] }, /^conversation_id:/],
    ["stream not boolean", { stream: "yes", messages: [{ role: "user", content: "a" }] }, /^stream:/],
  ];
  for (const [name, body, message] of shapes) {
    it(`400 invalid_request: ${name}`, async () => {
      await expectError(await postChat(chat.baseUrl, body), 400, "invalid_request", message);
    });
  }

  it("does not store anything for a rejected request", async () => {
    await postChat(chat.baseUrl, { conversation_id: "rejected", messages: [{ role: "robot", content: "x" }] });
    assert.equal(await chat.redis.exists(chat.history.key("rejected")), 0);
  });

  it("413 body_too_large above 64 KiB", async () => {
    const big = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(70 * 1024) }] });
    await expectError(await postChat(chat.baseUrl, big), 413, "body_too_large", /65536 bytes/);
  });

  it("413 for a chunked body without Content-Length that grows too large", async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${chat.baseUrl}/chat`);
      const req = request({ host: url.hostname, port: url.port, path: "/chat", method: "POST" }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      for (let i = 0; i < 20; i++) req.write("y".repeat(8 * 1024));
      req.end();
    });
    assert.equal(status, 413);
    assert.equal((JSON.parse(body) as ErrorBody).error.code, "body_too_large");
  });

  it("accepts a body just under the limit", async () => {
    const content = "z".repeat(60 * 1024);
    const response = await postChat(chat.baseUrl, { messages: [{ role: "user", content: `echo ${content}` }] });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { message: { content: string } }).message.content, content);
  });

  it("404 not_found for an unknown path", async () => {
    await expectError(await fetch(`${chat.baseUrl}/nope`), 404, "not_found", /\/nope/);
  });

  it("405 method_not_allowed with Allow for GET /chat and POST /healthz", async () => {
    const get = await fetch(`${chat.baseUrl}/chat`);
    assert.equal(get.headers.get("allow"), "POST");
    await expectError(get, 405, "method_not_allowed");
    await expectError(await fetch(`${chat.baseUrl}/healthz`, { method: "POST" }), 405, "method_not_allowed");
  });

  it("GET /healthz and /readyz answer 200 while Redis is up", async () => {
    assert.deepEqual(await (await fetch(`${chat.baseUrl}/healthz`)).json(), { status: "ok" });
    assert.deepEqual(await (await fetch(`${chat.baseUrl}/readyz`)).json(), { status: "ok" });
  });

  it("echoes X-Request-ID and makes one up when absent", async () => {
    const given = await fetch(`${chat.baseUrl}/healthz`, { headers: { "x-request-id": "req-123" } });
    assert.equal(given.headers.get("x-request-id"), "req-123");
    const made = await fetch(`${chat.baseUrl}/healthz`);
    assert.match(made.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });
});

describe("failing dependencies", () => {
  it("503 history_unavailable (and readyz 503) while Redis is not connected; healthz stays 200", async () => {
    // A client that was never connected: the state the service is in while Redis is down.
    const offline = createClient({ url: "redis://127.0.0.1:9/0", disableOfflineQueue: true });
    const history = new HistoryStore(offline, { ttlSeconds: 60, keyPrefix: "test:offline:" });
    const server = createChatServer({ history, provider: new LocalProvider("http://127.0.0.1:9"), logger: silentLogger });
    const baseUrl = await listen(server);
    try {
      await expectError(
        await postChat(baseUrl, { conversation_id: "c1", messages: [{ role: "user", content: "hi" }] }),
        503,
        "history_unavailable",
        /Redis/,
      );
      await expectError(await fetch(`${baseUrl}/readyz`), 503, "not_ready");
      assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);
    } finally {
      await closeServer(server);
    }
  });

  it("502 provider_error, plain and streaming, when the model endpoint does not answer", async () => {
    const down = await unreachableUrl();
    const chat = await startChat(new OpenAIProvider({ baseUrl: `${down}/v1`, model: "m", apiKey: undefined }));
    try {
      for (const stream of [false, true]) {
        const response = await postChat(chat.baseUrl, { stream, messages: [{ role: "user", content: "hi" }] });
        await expectError(response, 502, "provider_error", new RegExp(`^cannot reach LLM endpoint ${down}/v1/chat/completions: connect ECONNREFUSED`));
      }
    } finally {
      await chat.close();
    }
  });
});
