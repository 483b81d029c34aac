// Structured logs: one JSON object per line on stdout, filtered by LOG_LEVEL.
import type { LogLevel } from "./config";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warning(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const emit = (at: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (RANK[at] < RANK[level]) return;
    write(JSON.stringify({ ts: new Date().toISOString(), level: at, service: "chat", msg, ...fields }) + "\n");
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warning: (msg, fields) => emit("warning", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}

/** For tests and tools that want no output. */
export const silentLogger: Logger = createLogger("error", () => undefined);
