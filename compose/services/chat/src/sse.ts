// Server-Sent Events framing for the chat stream (CONTRACT.md): `delta` events, then one `done`.
import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { LogFields, Logger } from "./logger";
import type { ChatResponse } from "./messages";

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no", // tells buffering proxies to pass events through at once
} as const;

/** One event; JSON data never contains a raw newline, so a single data: line is enough. */
export function formatEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseWriter {
  /**
   * `signal` aborts when the client has gone (it ends a wait for the client to read);
   * `logFields` go on the writer's log lines (the request id).
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
    private readonly logger: Logger,
    private readonly logFields: LogFields = {},
  ) {}

  open(headers: Record<string, string> = {}): void {
    this.res.writeHead(200, { ...SSE_HEADERS, ...headers });
    this.res.flushHeaders();
  }

  /**
   * Sends one piece of the reply. When the socket's buffer is full it resolves only once the
   * client has read enough ('drain'), so a slow reader slows the model down instead of the reply
   * piling up in memory. Rejects with an AbortError when the client goes away meanwhile.
   */
  async delta(content: string): Promise<void> {
    if (this.res.write(formatEvent("delta", { content }))) return;
    this.logger.debug("client is slow; waiting for it to read", { ...this.logFields, buffered_bytes: this.res.writableLength });
    await once(this.res, "drain", { signal: this.signal });
  }

  done(response: ChatResponse): void {
    this.res.end(formatEvent("done", response));
  }

  /** Headers are gone once streaming starts, so a late failure can only be reported in-band. */
  error(code: string, message: string): void {
    this.res.end(formatEvent("error", { error: { code, message } }));
  }
}
