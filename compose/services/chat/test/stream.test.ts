// The SSE stream under a slow client (backpressure) and under a provider bug, against the real
// test Redis, with stand-in providers defined here (they stand in for a model).
import assert from "node:assert/strict";
import { type IncomingMessage, request } from "node:http";
import { describe, it } from "node:test";
import type { ChatMessage } from "../src/messages";
import type { Provider } from "../src/providers";
import { capturingLogger, parseSse, postChat, readSse, startChat, waitFor } from "./helpers";

/** A model stand-in that streams `count` pieces, each made only when the server asks for it. */
class BulkProvider implements Provider {
  readonly name = "bulk";
  pulled = 0;
  closed = false;
  constructor(
    readonly count: number,
    readonly pieceOf: (index: number) => string,
  ) {}

  get whole(): string {
    return Array.from({ length: this.count }, (_, index) => this.pieceOf(index)).join("");
  }

  async complete(): Promise<string> {
    return this.whole;
  }

  async *stream(_messages: readonly ChatMessage[]): AsyncIterable<string> {
    try {
      for (let index = 0; index < this.count; index++) {
        this.pulled += 1;
        yield this.pieceOf(index);
      }
    } finally {
      this.closed = true;
    }
  }
}

/** POSTs a streaming chat request and stops reading the response as soon as its headers are in. */
function openPausedStream(baseUrl: string, body: unknown): Promise<IncomingMessage> {
  const url = new URL(`${baseUrl}/chat`);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        res.pause();
        resolve(res);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

async function readAll(res: IncomingMessage): Promise<string> {
  res.setEncoding("utf8");
  let text = "";
  for await (const chunk of res) text += chunk as string;
  return text;
}

const SLOW = "client is slow; waiting for it to read";

describe("streaming to a slow client", () => {
  it("does not pull the reply from the model faster than the client reads, and stops when it leaves", async () => {
    // 256 MiB if the whole reply were pulled: far more than any socket buffers can hold.
    const mib = "x".repeat(1024 * 1024);
    const provider = new BulkProvider(256, () => mib);
    const { logger, lines } = capturingLogger();
    const chat = await startChat(provider, 3600, logger);
    try {
      const res = await openPausedStream(chat.baseUrl, { conversation_id: "never-reads", stream: true, messages: [{ role: "user", content: "go" }] });
      assert.equal(res.statusCode, 200);
      await waitFor("the service to wait for the client to read", () => lines.some((line) => line.msg === SLOW));
      assert.ok(provider.pulled < provider.count, `the whole reply was pulled from the model (${provider.pulled} pieces)`);
      res.destroy(); // the client gives up
      await waitFor("the service to finish the request", () =>
        lines.some((line) => line.msg === "client left; reply abandoned" || line.msg === "reply"),
      );
      assert.ok(lines.some((line) => line.msg === "client left; reply abandoned"), JSON.stringify(lines.map((line) => line.msg)));
      assert.equal(provider.closed, true, "the model's stream was not closed");
      assert.ok(provider.pulled < provider.count);
      assert.equal(await chat.redis.exists(chat.history.key("never-reads")), 0, "a partial reply was stored");
    } finally {
      await chat.close();
    }
  });

  it("delivers the whole reply, in order, once a paused client reads again", async () => {
    const provider = new BulkProvider(256, (index) => `<${index}>`.padEnd(64 * 1024, "."));
    const { logger, lines } = capturingLogger();
    const chat = await startChat(provider, 3600, logger);
    try {
      const res = await openPausedStream(chat.baseUrl, { conversation_id: "reads-late", stream: true, messages: [{ role: "user", content: "go" }] });
      await waitFor("the service to wait for the client to read", () => lines.some((line) => line.msg === SLOW));
      const events = parseSse(await readAll(res));
      const deltas = events.filter((event) => event.event === "delta").map((event) => (event.data as { content: string }).content);
      assert.equal(deltas.length, provider.count);
      assert.ok(deltas.join("") === provider.whole, "the deltas are not the reply, in order");
      assert.equal(events.at(-1)?.event, "done");
      assert.ok((events.at(-1)?.data as { message: { content: string } }).message.content === provider.whole);
      assert.equal(await chat.redis.lLen(chat.history.key("reads-late")), 2);
    } finally {
      await chat.close();
    }
  });
});

/** A provider with a bug: a plain Error, which is none of the failures the service expects. */
const buggy: Provider = {
  name: "buggy",
  async complete(): Promise<string> {
    throw new Error("bug in the provider");
  },
  async *stream(): AsyncIterable<string> {
    yield "Half ";
    throw new Error("bug in the provider");
  },
};

describe("a provider bug", () => {
  it("is a 500 internal JSON error (details only in the log) without streaming", async () => {
    const { logger, lines } = capturingLogger();
    const chat = await startChat(buggy, 3600, logger);
    try {
      const response = await postChat(chat.baseUrl, { conversation_id: "bug-plain", messages: [{ role: "user", content: "hi" }] });
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { error: { code: "internal", message: "internal error; see the chat service's logs" } });
      await waitFor("the error in the log", () => lines.some((line) => line.msg === "unhandled error"));
      assert.match(String(lines.find((line) => line.msg === "unhandled error")?.["error"]), /bug in the provider/);
      assert.equal(await chat.redis.exists(chat.history.key("bug-plain")), 0);
    } finally {
      await chat.close();
    }
  });

  it("ends a stream that already started with an internal error event, and logs it", async () => {
    const { logger, lines } = capturingLogger();
    const chat = await startChat(buggy, 3600, logger);
    try {
      const response = await postChat(chat.baseUrl, { conversation_id: "bug-stream", stream: true, messages: [{ role: "user", content: "hi" }] });
      assert.equal(response.status, 200);
      const events = await readSse(response);
      assert.deepEqual(events, [
        { event: "delta", data: { content: "Half " } },
        { event: "error", data: { error: { code: "internal", message: "internal error; see the chat service's logs" } } },
      ]);
      const logged = lines.find((line) => line.msg === "stream failed: unexpected error");
      assert.equal(logged?.["level"], "error");
      assert.match(String(logged?.["error"]), /bug in the provider/);
      assert.equal(await chat.redis.exists(chat.history.key("bug-stream")), 0);
    } finally {
      await chat.close();
    }
  });
});
