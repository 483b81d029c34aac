// HTTP routes: POST /chat (JSON or SSE), GET /healthz, GET /readyz. JSON errors everywhere.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HistoryStore, HistoryUnavailableError } from "./history";
import { HttpError, readJson, sendError, sendJson } from "./http";
import type { Logger } from "./logger";
import { type ChatMessage, type ChatRequest, type ChatResponse, parseChatRequest, RequestShapeError } from "./messages";
import { type Provider, ProviderError } from "./providers";
import { SseWriter } from "./sse";

export interface ChatServerDeps {
  history: HistoryStore;
  provider: Provider;
  logger: Logger;
}

/** The answer to a bug: the details are in the log, not in the response. */
const INTERNAL = new HttpError(500, "internal", "internal error; see the chat service's logs");

type Handler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

interface Route {
  methods: readonly string[];
  handler: Handler;
}

export function createChatServer(deps: ChatServerDeps): Server {
  const routes: Record<string, Route> = {
    "/chat": { methods: ["POST"], handler: (req, res, id) => handleChat(deps, req, res, id) },
    "/healthz": { methods: ["GET", "HEAD"], handler: async (_req, res) => sendJson(res, 200, { status: "ok" }) },
    "/readyz": { methods: ["GET", "HEAD"], handler: (_req, res) => handleReady(deps, res) },
  };

  return createServer((req, res) => {
    const started = process.hrtime.bigint();
    const requestId = headerValue(req, "x-request-id") ?? randomUUID();
    res.setHeader("x-request-id", requestId);
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    res.once("close", () => {
      deps.logger.info("request", {
        request_id: requestId,
        method: req.method,
        path,
        status: res.statusCode,
        duration_ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
      });
    });
    dispatch(routes, path, req, res, requestId).catch((error: unknown) => {
      deps.logger.error("unhandled error", { request_id: requestId, error: String(error) });
      if (!res.headersSent) sendError(res, INTERNAL);
      else res.destroy();
    });
  });
}

async function dispatch(
  routes: Record<string, Route>,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const route = routes[path];
  if (route === undefined) {
    req.resume();
    return sendError(res, new HttpError(404, "not_found", `no route for ${path}; try POST /chat`));
  }
  const method = req.method ?? "GET";
  if (!route.methods.includes(method)) {
    req.resume();
    const allowed = route.methods.join(", ");
    return sendError(res, new HttpError(405, "method_not_allowed", `${method} is not allowed on ${path}; use ${allowed}`, { allow: allowed }));
  }
  try {
    await route.handler(req, res, requestId);
  } catch (error) {
    const known = toHttpError(error);
    if (known === undefined || res.headersSent) throw error; // the server's handler logs it: 500
    sendError(res, known);
  }
}

/** The answer to a failure the chat flow expects (bad request, model or Redis down); undefined for a bug. */
function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof RequestShapeError) return new HttpError(400, "invalid_request", error.message);
  if (error instanceof ProviderError) return new HttpError(502, "provider_error", error.message);
  if (error instanceof HistoryUnavailableError) {
    return new HttpError(503, "history_unavailable", `conversation history is unavailable: ${error.message}`);
  }
  return undefined;
}

async function handleReady(deps: ChatServerDeps, res: ServerResponse): Promise<void> {
  if (await deps.history.ping()) return sendJson(res, 200, { status: "ok" });
  sendError(res, new HttpError(503, "not_ready", "Redis does not answer"));
}

function wantsStream(req: IncomingMessage, request: ChatRequest): boolean {
  return request.stream || (headerValue(req, "accept") ?? "").includes("text/event-stream");
}

async function handleChat(deps: ChatServerDeps, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const request = parseChatRequest(await readJson(req));
  const conversationId = request.conversationId ?? HistoryStore.newConversationId();
  const past = request.conversationId === undefined ? [] : await deps.history.load(conversationId);
  const context = [...past, ...request.messages];

  // Stop generating (and paying for) a reply nobody will read.
  const cancel = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) cancel.abort();
  });

  const finish = async (content: string): Promise<ChatResponse> => {
    const reply: ChatMessage = { role: "assistant", content };
    await deps.history.append(conversationId, [...request.messages, reply]);
    deps.logger.debug("reply", { request_id: requestId, conversation_id: conversationId, chars: content.length });
    return { conversation_id: conversationId, message: { role: "assistant", content }, provider: deps.provider.name };
  };

  if (!wantsStream(req, request)) {
    const content = await deps.provider.complete(context, cancel.signal);
    return sendJson(res, 200, await finish(content));
  }

  // Wait for the first piece before sending headers, so an unreachable model is still a 502 JSON.
  const pieces = deps.provider.stream(context, cancel.signal)[Symbol.asyncIterator]();
  let next = await pieces.next();
  const sse = new SseWriter(res, cancel.signal, deps.logger, { request_id: requestId });
  sse.open();
  let content = "";
  try {
    while (next.done !== true) {
      content += next.value;
      await sse.delta(next.value);
      next = await pieces.next();
    }
    sse.done(await finish(content));
  } catch (error) {
    if (cancel.signal.aborted) {
      // The client left: nothing to tell it, and a partial reply is not kept as history.
      // Close the model's stream (the generator may be paused at a piece the client never took).
      await pieces.return?.().catch(() => undefined);
      deps.logger.info("client left; reply abandoned", { request_id: requestId, conversation_id: conversationId, chars: content.length });
      return;
    }
    const known = toHttpError(error);
    if (known === undefined) {
      deps.logger.error("stream failed: unexpected error", { request_id: requestId, error: String(error) });
      sse.error(INTERNAL.code, INTERNAL.message);
      return;
    }
    deps.logger.warning("stream failed", { request_id: requestId, code: known.code, error: known.message });
    sse.error(known.code, known.message);
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === "" ? undefined : first;
}
