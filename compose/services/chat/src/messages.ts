// The POST /chat request shape and its validation (CONTRACT.md "Chat").
export type Role = "user" | "assistant" | "system";
export const ROLES: readonly Role[] = ["user", "assistant", "system"];

export interface ChatMessage {
  role: Role;
  content: string;
}

export interface ChatRequest {
  conversationId: string | undefined;
  messages: ChatMessage[];
  stream: boolean;
}

export interface ChatResponse {
  conversation_id: string;
  message: { role: "assistant"; content: string };
  provider: string;
}

/** Limits that keep one request from filling Redis or the model's context. */
export const MAX_MESSAGES = 100;
const CONVERSATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export class RequestShapeError extends Error {
  override name = "RequestShapeError";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseMessage(value: unknown, index: number): ChatMessage {
  const where = `messages[${index}]`;
  if (!isObject(value)) throw new RequestShapeError(`${where}: must be an object {"role", "content"}`);
  const { role, content } = value;
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) {
    throw new RequestShapeError(`${where}.role: must be one of ${ROLES.join(", ")}`);
  }
  if (typeof content !== "string") throw new RequestShapeError(`${where}.content: must be a string`);
  return { role: role as Role, content };
}

/** Validates a decoded JSON body; unknown keys are ignored so OpenAI-style clients can send extras. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw new RequestShapeError('body: must be a JSON object with "messages"');
  const { conversation_id: conversationId, messages, stream } = body;
  if (conversationId !== undefined && conversationId !== null) {
    if (typeof conversationId !== "string" || !CONVERSATION_ID.test(conversationId)) {
      throw new RequestShapeError("conversation_id: must be 1-128 characters of A-Z a-z 0-9 . _ : -");
    }
  }
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new RequestShapeError("messages: must be a non-empty array of {role, content}");
  }
  if (messages.length > MAX_MESSAGES) {
    throw new RequestShapeError(`messages: at most ${MAX_MESSAGES} per request, got ${messages.length}`);
  }
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") {
    throw new RequestShapeError("stream: must be true or false");
  }
  return {
    conversationId: typeof conversationId === "string" ? conversationId : undefined,
    messages: messages.map(parseMessage),
    stream: stream === true,
  };
}
