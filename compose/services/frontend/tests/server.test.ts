// @vitest-environment node
// server.mjs as a real process on a free port, serving a temporary directory.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticPath } from "../static-path.mjs";
import { PATIENCE_MS } from "./standin";

const SERVER = fileURLToPath(new URL("../server.mjs", import.meta.url));

describe("staticPath", () => {
  it.each([
    ["/", "/srv/dist/"],
    ["/assets/app.js", "/srv/dist/assets/app.js"],
    ["/a%20b.js", "/srv/dist/a b.js"],
    ["/assets/../index.html", "/srv/dist/index.html"],
    ["/../dist-secret/key.txt", null], // a sibling whose name starts with the root's
    ["/..%2Fdist-secret%2Fkey.txt", null],
    ["/..%2F..%2Fetc%2Fpasswd", null],
    ["/%E0%A4%A", null], // malformed percent-encoding
    ["/index.html%00.js", null],
  ])("%s -> %s", (pathname, expected) => {
    expect(staticPath("/srv/dist", pathname)).toBe(expected);
  });
});

async function waitUntil(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${PATIENCE_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts server.mjs on a free port with STATIC_DIR; resolves once it logs that it listens. */
async function startServer(staticDir: string): Promise<{ base: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: "0", STATIC_DIR: staticDir, GATEWAY_URL: "http://gateway.test:8080" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server.mjs did not listen within ${PATIENCE_MS} ms:\n${output}`)), PATIENCE_MS);
    child.once("exit", (code) => reject(new Error(`server.mjs exited (${code}):\n${output}`)));
    child.stdout!.on("data", () => {
      const listening = output.split("\n").find((line) => line.includes('"msg":"listening"'));
      if (listening) {
        clearTimeout(timer);
        resolve((JSON.parse(listening) as { port: number }).port);
      }
    });
  });
  return { base: `http://127.0.0.1:${port}`, child, output: () => output };
}

describe("server.mjs", () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "frontend-server-"));
    mkdirSync(join(dir, "dist", "assets"), { recursive: true });
    writeFileSync(join(dir, "dist", "index.html"), "<!doctype html><title>ui</title>");
    writeFileSync(join(dir, "dist", "assets", "app.js"), "console.log('app');");
    mkdirSync(join(dir, "dist-secret"));
    writeFileSync(join(dir, "dist-secret", "key.txt"), "secret");
    // A dist whose index.html cannot be read as a file: the SPA fallback hits a file error.
    mkdirSync(join(dir, "broken", "index.html"), { recursive: true });
    server = await startServer(join(dir, "dist"));
  });
  afterAll(() => {
    server?.child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves files with their type, index.html for other paths, and /config.js from the environment", async () => {
    const app = await fetch(`${server.base}/assets/app.js`);
    expect(app.headers.get("content-type")).toBe("text/javascript");
    expect(await app.text()).toBe("console.log('app');");
    for (const path of ["/", "/tasks/123", "/assets"]) {
      expect(await (await fetch(`${server.base}${path}`)).text()).toBe("<!doctype html><title>ui</title>");
    }
    expect(await (await fetch(`${server.base}/config.js`)).text()).toBe('window.__CONFIG__ = {"gatewayUrl":"http://gateway.test:8080"};\n');
    expect(await (await fetch(`${server.base}/healthz`)).json()).toEqual({ status: "ok" });
  });

  it("refuses a path into a sibling directory whose name starts with the root's", async () => {
    const response = await fetch(`${server.base}/..%2Fdist-secret%2Fkey.txt`);
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain("secret");
  });

  it("answers 500 for a file it cannot read, and keeps running", async () => {
    const broken = await startServer(join(dir, "broken"));
    try {
      const response = await fetch(`${broken.base}/anything`);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe("cannot read file\n");
      expect((await fetch(`${broken.base}/healthz`)).status).toBe(200);
      expect(broken.child.exitCode).toBeNull();
      // The log line and the response travel on different pipes: wait for it rather than assume.
      await waitUntil("the log line", () => broken.output().includes('"msg":"cannot read file"'));
    } finally {
      broken.child.kill();
    }
  });
});
