// Local HTTP servers standing in for the gateway in component tests (a real socket, real fetch).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How long a test waits for a condition: generous, as CI machines are 2 shared, often loaded cores. */
export const PATIENCE_MS = 30_000;

export interface SeenRequest {
  method: string;
  url: string;
  body: unknown;
}

export interface StandIn {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (request: SeenRequest, res: ServerResponse, req: IncomingMessage) => void;

/** Starts a server on a free loopback port; every request is recorded (JSON bodies parsed). */
export async function startStandIn(handler: Handler): Promise<StandIn> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const seen = { method: req.method ?? "", url: req.url ?? "", body: text ? (JSON.parse(text) as unknown) : null };
      requests.push(seen);
      handler(seen, res, req);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}
