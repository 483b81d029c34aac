// A small static server for the built UI (no dependencies): serves dist/, writes /config.js from
// the environment (GATEWAY_URL) so one image works for any gateway address, and answers /healthz.
import { open, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { staticPath } from "./static-path.mjs";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), process.env.STATIC_DIR ?? "dist");
const port = Number(process.env.PORT ?? 3000);
const gatewayUrl = process.env.GATEWAY_URL ?? "http://localhost:8080";
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".json": "application/json" };

function log(fields) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...fields }) + "\n");
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Answers with the file, or 500 when it cannot be read; never throws. */
async function sendFile(res, file) {
  let handle;
  try {
    handle = await open(file);
    if (!(await handle.stat()).isFile()) throw new Error("not a regular file");
  } catch (error) {
    await handle?.close();
    log({ msg: "cannot read file", file, error: error.message });
    res.writeHead(500, { "Content-Type": "text/plain" }).end("cannot read file\n");
    return;
  }
  res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" });
  try {
    // pipeline closes the file and the response on any error (read failure, client gone).
    await pipeline(handle.createReadStream(), res);
  } catch (error) {
    log({ msg: "response not completed", file, error: error.code ?? error.message });
  }
}

async function handle(req, res, url) {
  if (url.pathname === "/healthz") {
    res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  if (url.pathname === "/config.js") {
    res.writeHead(200, { "Content-Type": "text/javascript", "Cache-Control": "no-store" });
    res.end(`window.__CONFIG__ = ${JSON.stringify({ gatewayUrl })};\n`);
    return;
  }
  const file = staticPath(root, url.pathname);
  if (file === null) {
    res.writeHead(400).end();
    return;
  }
  await sendFile(res, (await isFile(file)) ? file : join(root, "index.html")); // SPA fallback
}

const server = createServer((req, res) => {
  const started = Date.now();
  const url = new URL(req.url ?? "/", "http://localhost");
  res.on("finish", () => log({ method: req.method, path: url.pathname, status: res.statusCode, duration_ms: Date.now() - started }));
  handle(req, res, url).catch((error) => {
    log({ msg: "request failed", path: url.pathname, error: String(error) });
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  });
});

server.listen(port, () => log({ msg: "listening", port: server.address().port, gatewayUrl }));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
