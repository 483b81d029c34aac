// Server-Sent Events framing for the chat stream (CONTRACT.md): `delta` events, then one `done`.
import type { ServerResponse } from "node:http";
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
  constructor(private readonly res: ServerResponse) {}

  open(headers: Record<string, string> = {}): void {
    this.res.writeHead(200, { ...SSE_HEADERS, ...headers });
    this.res.flushHeaders();
  }

  delta(content: string): void {
    this.res.write(formatEvent("delta", { content }));
  }

  done(response: ChatResponse): void {
    this.res.end(formatEvent("done", response));
  }

  /** Headers are gone once streaming starts, so a late failure can only be reported in-band. */
  error(code: string, message: string): void {
    this.res.end(formatEvent("error", { error: { code, message } }));
  }
}
