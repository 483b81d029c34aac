// POST /chat end to end in one process against the real test Redis, with the local provider.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LocalProvider } from "../src/providers/local";
import { type ChatFixture, postChat, readSse, startChat, UUID } from "./helpers";

// Nothing listens here: the greeting/echo rules never call the orchestrator.
const NO_ORCHESTRATOR = "http://127.0.0.1:9";

describe("chat with the local provider", () => {
  let chat: ChatFixture;
  before(async () => {
    chat = await startChat(new LocalProvider(NO_ORCHESTRATOR), 120);
  });
  after(async () => chat?.close());

  it("answers a plain request with a new conversation id and the contract's JSON", async () => {
    const response = await postChat(chat.baseUrl, { messages: [{ role: "user", content: "echo ping pong" }] });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ["conversation_id", "message", "provider"]);
    assert.match(body["conversation_id"] as string, UUID);
    assert.deepEqual(body["message"], { role: "assistant", content: "ping pong" });
    assert.equal(body["provider"], "local");
  });

  it("keeps the history of a conversation in Redis with a TTL, across requests", async () => {
    const first = (await (await postChat(chat.baseUrl, { messages: [{ role: "user", content: "echo one" }] })).json()) as {
      conversation_id: string;
    };
    const id = first.conversation_id;
    const key = chat.history.key(id);
    assert.equal(await chat.redis.lLen(key), 2);
    await chat.redis.expire(key, 50); // lower it, so we can see the next write refresh it

    const second = await postChat(chat.baseUrl, { conversation_id: id, messages: [{ role: "user", content: "echo two" }] });
    assert.equal(second.status, 200);
    assert.equal(((await second.json()) as { conversation_id: string }).conversation_id, id);

    const stored = (await chat.redis.lRange(key, 0, -1)).map((item) => JSON.parse(item) as unknown);
    assert.deepEqual(stored, [
      { role: "user", content: "echo one" },
      { role: "assistant", content: "one" },
      { role: "user", content: "echo two" },
      { role: "assistant", content: "two" },
    ]);
    const ttl = await chat.redis.ttl(key);
    assert.ok(ttl > 50 && ttl <= 120, `TTL should be refreshed to CHAT_HISTORY_TTL_SECONDS (120), got ${ttl}`);
  });

  it("accepts a conversation id chosen by the client", async () => {
    const id = "client-chosen:42";
    const response = await postChat(chat.baseUrl, { conversation_id: id, messages: [{ role: "user", content: "hi" }] });
    assert.equal(((await response.json()) as { conversation_id: string }).conversation_id, id);
    assert.equal(await chat.redis.lLen(chat.history.key(id)), 2);
  });

  it("streams delta events whose concatenation is the done event's whole message", async () => {
    const response = await postChat(chat.baseUrl, {
      stream: true,
      messages: [{ role: "user", content: "echo the quick brown fox jumps" }],
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = await readSse(response);
    const deltas = events.filter((event) => event.event === "delta");
    assert.equal(deltas.length, 5, "one delta per word");
    assert.deepEqual(events.at(-1)?.event, "done");
    assert.equal(events.filter((event) => event.event === "done").length, 1);
    const done = events.at(-1)?.data as { conversation_id: string; message: { role: string; content: string }; provider: string };
    assert.equal(deltas.map((event) => (event.data as { content: string }).content).join(""), "the quick brown fox jumps");
    assert.deepEqual(done.message, { role: "assistant", content: "the quick brown fox jumps" });
    assert.equal(done.provider, "local");
    assert.match(done.conversation_id, UUID);
    assert.equal(await chat.redis.lLen(chat.history.key(done.conversation_id)), 2, "a streamed turn is stored too");
  });

  it("streams when the client sends Accept: text/event-stream", async () => {
    const response = await postChat(
      chat.baseUrl,
      { messages: [{ role: "user", content: "echo via accept" }] },
      { accept: "text/event-stream" },
    );
    const events = await readSse(response);
    assert.deepEqual(
      events.map((event) => event.event),
      ["delta", "delta", "done"],
    );
  });

  it("gives the same reply bytes for the same input", async () => {
    const ask = async (): Promise<string> => {
      const body = (await (await postChat(chat.baseUrl, { messages: [{ role: "user", content: "what is this?" }] })).json()) as {
        message: { content: string };
      };
      return body.message.content;
    };
    const first = await ask();
    assert.equal(await ask(), first);
    assert.match(first, /^You said: "what is this\?" \(3 words\)\./);
  });
});
