// Container health check without curl: exit 0 when the server's /healthz answers 200.
const port = process.env.PORT ?? 3000;
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
