// A small static server for the built UI (no dependencies): serves dist/, writes /config.js from
// the environment (GATEWAY_URL) so one image works for any gateway address, and answers /healthz.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), process.env.STATIC_DIR ?? "dist");
const port = Number(process.env.PORT ?? 3000);
const gatewayUrl = process.env.GATEWAY_URL ?? "http://localhost:8080";
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".json": "application/json" };

function log(fields) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...fields }) + "\n");
}

const server = createServer((req, res) => {
  const started = Date.now();
  const url = new URL(req.url ?? "/", "http://localhost");
  res.on("finish", () => log({ method: req.method, path: url.pathname, status: res.statusCode, duration_ms: Date.now() - started }));
  if (url.pathname === "/healthz") {
    res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  if (url.pathname === "/config.js") {
    res.writeHead(200, { "Content-Type": "text/javascript", "Cache-Control": "no-store" });
    res.end(`window.__CONFIG__ = ${JSON.stringify({ gatewayUrl })};\n`);
    return;
  }
  let file = normalize(join(root, url.pathname));
  if (!file.startsWith(root)) {
    res.writeHead(400).end();
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, "index.html"); // SPA fallback
  res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" });
  createReadStream(file).pipe(res);
});

server.listen(port, () => log({ msg: "listening", port, gatewayUrl }));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
