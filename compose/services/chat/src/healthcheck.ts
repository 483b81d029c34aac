// Container health check: exit 0 when this process's /healthz answers 200, else 1.
export {}; // a module, not a global script
const port = process.env["PORT"] && process.env["PORT"].trim() !== "" ? process.env["PORT"].trim() : "3001";
const url = `http://127.0.0.1:${port}/healthz`;

fetch(url, { signal: AbortSignal.timeout(3000) }).then(
  (response) => {
    if (response.ok) process.exit(0);
    process.stderr.write(`healthcheck: ${url} answered HTTP ${response.status}\n`);
    process.exit(1);
  },
  (error: unknown) => {
    process.stderr.write(`healthcheck: ${url} did not answer: ${String(error)}\n`);
    process.exit(1);
  },
);
