// The service as a real process: `node index.js` serves, the healthcheck script works, SIGTERM
// stops it cleanly, and a bad configuration exits with code 2 and a one-line message.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PATIENCE_MS, postChat, testRedisUrl } from "./helpers";

const ENTRY = join(__dirname, "..", "src", "index.js");
const HEALTHCHECK = join(__dirname, "..", "src", "healthcheck.js");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`chat exited early with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer within ${PATIENCE_MS} ms`);
}

describe("chat as a process", () => {
  it("serves, passes its healthcheck, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    // Its own Redis db index (15; the stack e2e tests flush random ones from 1 to 14): this process
    // writes with the service's default key prefix.
    const redisUrl = testRedisUrl().replace(/\/\d*$/, "") + "/15";
    const env = { ...process.env, PORT: String(port), REDIS_URL: redisUrl, LOG_LEVEL: "info" };
    const child = spawn(process.execPath, [ENTRY], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForHealth(`${base}/healthz`, child);
      const health = spawnSync(process.execPath, [HEALTHCHECK], { env: { ...process.env, PORT: String(port) } });
      assert.equal(health.status, 0, health.stderr.toString());

      // Straight after /healthz, as the e2e stack does: Redis may still be connecting, the request waits.
      const response = await postChat(base, { messages: [{ role: "user", content: "echo from a process" }] });
      assert.equal(response.status, 200);
      const { conversation_id: id } = (await response.json()) as { conversation_id: string };

      child.kill("SIGTERM");
      // "close", not "exit": only then has all of its stdout been read.
      const [code] = (await once(child, "close")) as [number | null];
      assert.equal(code, 0);
      const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as { msg: string; path?: string });
      assert.ok(lines.some((line) => line.msg === "request" && line.path === "/chat"), "JSON access log lines");
      assert.equal(lines.at(-1)?.msg, "stopped");

      // Clean up the conversation this process stored.
      const { createClient } = await import("redis");
      const redis = createClient({ url: redisUrl });
      await redis.connect();
      assert.equal(await redis.del(`chat:conversation:${id}`), 1, "history written under the default prefix");
      await redis.quit();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("starts before Redis, answers 503 JSON meanwhile, and serves once Redis comes up", async () => {
    const [chatPort, redisPort] = [await freePort(), await freePort()];
    const env = { ...process.env, PORT: String(chatPort), REDIS_URL: `redis://127.0.0.1:${redisPort}/0`, LOG_LEVEL: "error" };
    const child = spawn(process.execPath, [ENTRY], { env, stdio: "ignore" });
    let redis: ChildProcess | undefined;
    try {
      const base = `http://127.0.0.1:${chatPort}`;
      await waitForHealth(`${base}/healthz`, child);
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      const early = await postChat(base, { messages: [{ role: "user", content: "echo too early" }] });
      assert.equal(early.status, 503);
      assert.equal(((await early.json()) as { error: { code: string } }).error.code, "history_unavailable");

      // A real, throw-away redis-server (the Debian package the test servers use) on that port.
      redis = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(redisPort), "--save", "", "--appendonly", "no"], {
        stdio: "ignore",
      });
      await waitForHealth(`${base}/readyz`, child);
      const late = await postChat(base, { messages: [{ role: "user", content: "echo in time" }] });
      assert.equal(late.status, 200);
      assert.equal(((await late.json()) as { message: { content: string } }).message.content, "in time");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      redis?.kill("SIGTERM");
    }
  });

  it("healthcheck exits 1 when nothing answers", async () => {
    const port = await freePort();
    const health = spawnSync(process.execPath, [HEALTHCHECK], { env: { ...process.env, PORT: String(port) } });
    assert.equal(health.status, 1);
    assert.match(health.stderr.toString(), /did not answer/);
  });

  it("exits 2 with a one-line message on a bad configuration", () => {
    const result = spawnSync(process.execPath, [ENTRY], { env: { ...process.env, PORT: "web" }, timeout: PATIENCE_MS });
    assert.equal(result.status, 2);
    assert.equal(result.stderr.toString(), "chat: configuration error: PORT: expected an integer from 0 to 65535, got 'web'; fix or unset it\n");
    assert.equal(result.stdout.toString(), "");
  });
});
