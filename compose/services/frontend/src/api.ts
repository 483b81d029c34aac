// The gateway's API as the UI uses it. The base URL comes from /config.js (runtime config).

export type JobStatus = "pending" | "queued" | "running" | "done" | "failed";
export type TaskStatus = "pending" | "running" | "done" | "failed";

export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  depends_on: string[];
  attempts: number;
  result: Record<string, unknown> | null;
  error: string | null;
}

export interface Task {
  id: string;
  goal: string;
  input: string;
  status: TaskStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  jobs?: Job[];
}

export interface ChatMessage {
  role: "user" | "assistant" | "system";
  content: string;
}

export interface ChatReply {
  conversation_id: string;
  message: ChatMessage;
  provider: string;
}

declare global {
  interface Window {
    __CONFIG__?: { gatewayUrl?: string };
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function gatewayUrl(): string {
  const configured = typeof window !== "undefined" ? window.__CONFIG__?.gatewayUrl : undefined;
  return (configured || "http://localhost:8080").replace(/\/+$/, "");
}

/** Where to send a request (default: the configured gateway) and how to cancel it. */
export interface RequestOptions {
  base?: string;
  signal?: AbortSignal;
}

async function call<T>(path: string, init: RequestInit = {}, { base = gatewayUrl(), signal }: RequestOptions = {}): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    ...init,
    signal,
    headers: { "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ApiError(response.status, errorMessage(body) ?? `HTTP ${response.status}`);
  }
  return body as T;
}

/** True for the rejection of a request that was cancelled with its AbortSignal. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/** The message of the stack's JSON errors ({"error": {...}}) or FastAPI's ({"detail": ...}). */
export function errorMessage(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error as Record<string, unknown> | undefined;
  if (error && typeof error.message === "string") return error.message;
  if (typeof record.detail === "string") return record.detail;
  if (Array.isArray(record.detail) && record.detail.length > 0) {
    const first = record.detail[0] as Record<string, unknown>;
    if (typeof first.msg === "string") return first.msg;
  }
  return undefined;
}

export const api = {
  createTask: (goal: string, input: string, options?: RequestOptions) =>
    call<Task>("/tasks", { method: "POST", body: JSON.stringify({ goal, input }) }, options),
  listTasks: (limit = 20, options?: RequestOptions) =>
    call<Task[] | { tasks: Task[] }>(`/tasks?limit=${limit}`, {}, options).then(asTaskList),
  getTask: (id: string, options?: RequestOptions) => call<Task>(`/tasks/${encodeURIComponent(id)}`, {}, options),
  /** One turn: only the turn's new messages; the chat service keeps the conversation's history. */
  chat: (messages: ChatMessage[], conversationId?: string, options?: RequestOptions) =>
    call<ChatReply>("/chat", { method: "POST", body: JSON.stringify({ conversation_id: conversationId, messages }) }, options),
};

/** GET /tasks answers a list; accept a {tasks: [...]} envelope too. */
export function asTaskList(body: Task[] | { tasks: Task[] }): Task[] {
  return Array.isArray(body) ? body : body.tasks;
}

/** "3/4 jobs done" style progress for a task. */
export function progress(task: Task): string {
  const jobs = task.jobs ?? [];
  if (jobs.length === 0) return task.status;
  const done = jobs.filter((job) => job.status === "done").length;
  return `${done}/${jobs.length} jobs done`;
}

/** Seconds between two timestamps, one decimal; "" when not finished. */
export function duration(start: string | null, end: string | null): string {
  if (!start || !end) return "";
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) ? `${seconds.toFixed(1)} s` : "";
}
