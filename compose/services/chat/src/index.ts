// Entry point: read config, connect Redis, serve, and shut down gracefully on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from "./config";
import { createRedisClient, HistoryStore } from "./history";
import { createLogger } from "./logger";
import { createProvider } from "./providers";
import { createChatServer } from "./server";

/** In-flight requests get this long to finish after SIGTERM before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`chat: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const redis = createRedisClient(config.redisUrl, (error) => logger.warning("redis error", { error: error.message }));
  const history = new HistoryStore(redis, { ttlSeconds: config.historyTtlSeconds });
  const provider = createProvider(config);
  const server = createChatServer({ history, provider, logger });

  // Serve /healthz at once; chat requests answer 503 until Redis is reachable.
  server.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : config.port;
    logger.info("listening", { port, provider: provider.name, redis: redactUrl(config.redisUrl) });
  });
  redis.connect().then(
    () => logger.info("redis connected"),
    (error: unknown) => logger.error("redis connect failed", { error: String(error) }),
  );

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    const force = setTimeout(() => {
      logger.warning("grace period over; closing open connections");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(() => {
      redis
        .quit()
        .catch(() => redis.disconnect())
        .catch(() => undefined)
        .finally(() => {
          logger.info("stopped");
          process.exit(0);
        });
    });
    server.closeIdleConnections(); // keep-alive sockets would otherwise hold close() open
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** Never log a password that may be embedded in REDIS_URL. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, "//$1:***@");
}

main().catch((error: unknown) => {
  process.stderr.write(`chat: fatal: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
