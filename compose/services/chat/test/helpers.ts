// Shared test fixtures: the REAL test Redis (scripts/test-servers.sh up), a chat server on a free
// loopback port with its own key prefix, stand-in HTTP servers, and an SSE reader.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "redis";
import { HistoryStore, type RedisClient } from "../src/history";
import { createLogger, type Logger, silentLogger } from "../src/logger";
import type { Provider } from "../src/providers";
import { createChatServer } from "../src/server";

/** The test Redis URL; no URL means the fixture was not started, which must fail, not skip. */
export function testRedisUrl(): string {
  const url = process.env["KUBEMAP_TEST_REDIS_URL"];
  if (url === undefined || url === "") {
    throw new Error(
      "KUBEMAP_TEST_REDIS_URL is not set: start the real test Redis with `scripts/test-servers.sh up` " +
        "and run the tests through `make test-chat` (or export the variables from `scripts/test-servers.sh env`)",
    );
  }
  return url;
}

/** Connects to the test Redis or throws a loud error (no retries: an absent server is a failure). */
export async function connectTestRedis(): Promise<RedisClient> {
  const url = testRedisUrl();
  const client = createClient({ url, socket: { connectTimeout: 3000, reconnectStrategy: false } });
  client.on("error", () => undefined); // connect() rejects with the same error
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot reach the test Redis at ${url} (${String(error)}); run scripts/test-servers.sh up`);
  }
  return client;
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface ChatFixture {
  baseUrl: string;
  redis: RedisClient;
  history: HistoryStore;
  keyPrefix: string;
  close(): Promise<void>;
}

/** How long a test waits for a condition: generous, as CI machines are 2 shared, often loaded cores. */
export const PATIENCE_MS = 60_000;

/** Polls cond every 20 ms until it holds; fails with what after PATIENCE_MS. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${PATIENCE_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A logger that keeps every line (debug and up), so a test can wait for what the service says. */
export function capturingLogger(): { logger: Logger; lines: { msg: string; [field: string]: unknown }[] } {
  const lines: { msg: string; [field: string]: unknown }[] = [];
  const logger = createLogger("debug", (line) => lines.push(JSON.parse(line) as { msg: string }));
  return { logger, lines };
}

/** A chat server in this process, with a key prefix of its own that is deleted afterwards. */
export async function startChat(provider: Provider, ttlSeconds = 3600, logger: Logger = silentLogger): Promise<ChatFixture> {
  const redis = await connectTestRedis();
  const keyPrefix = `test:chat:${randomUUID()}:`;
  const history = new HistoryStore(redis, { ttlSeconds, keyPrefix });
  const server = createChatServer({ history, provider, logger });
  const baseUrl = await listen(server);
  return {
    baseUrl,
    redis,
    history,
    keyPrefix,
    async close() {
      await closeServer(server);
      const keys: string[] = [];
      for await (const key of redis.scanIterator({ MATCH: `${keyPrefix}*` })) keys.push(key);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    },
  };
}

/** A small HTTP server standing in for another service (orchestrator, hosted model). */
export async function startStandIn(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; requests: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[]; close(): Promise<void> }> {
  const requests: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const url = await listen(server);
  return { url, requests, close: () => closeServer(server) };
}

export async function postChat(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a whole SSE response into events (event name + parsed JSON data). */
export async function readSse(response: Response): Promise<SseEvent[]> {
  return parseSse(await response.text());
}

/** Splits an SSE body into events (event name + parsed JSON data). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (block.trim() === "") continue;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    events.push({ event, data: JSON.parse(data.join("\n")) as unknown });
  }
  return events;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A loopback URL where nothing listens (a port just freed), i.e. a service that is down. */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await closeServer(server);
  return url;
}
