// The default provider: a deterministic, rule-based responder that needs no network and no model.
// It greets, echoes, summarises, and reports a task's status by asking the orchestrator.
import type { ChatMessage } from "../messages";
import type { Provider } from "./types";

const TASK_STATUS = /\b(?:status|state|progress)\b.*?\btask\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/i;
const TASK_THEN_STATUS = /\btask\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b.*?\b(?:status|state|progress)\b/i;
const GREETING = /^\s*(?:hi|hello|hey|hallo|good (?:morning|afternoon|evening))\b/i;
const HELP = /^\s*(?:help|\?)\s*$/i;
const ECHO = /^\s*echo\s*:?\s+([\s\S]*)$/i;
const SUMMARIZE = /^\s*(?:summari[sz]e|summary|tl;?dr)\s*:?\s*([\s\S]*)$/i;
/** Text at least this long is summarised even without asking. */
const AUTO_SUMMARY_WORDS = 60;
const SUMMARY_SENTENCES = 2;
const ORCHESTRATOR_TIMEOUT_MS = 5000;

const STOP_WORDS = new Set(
  ("a an and are as at be but by for from has have he her his i in is it its of on or our she so " +
    "that the their them then there these they this to was we were what when which who will with you your")
    .split(" "),
);

export const HELP_TEXT =
  'I am the local assistant (rule-based, no language model). Try: "status of task <id>", ' +
  '"summarize: <text>", "echo <text>", or "help".';

interface TaskJob {
  status?: unknown;
}
interface TaskView {
  id?: unknown;
  goal?: unknown;
  status?: unknown;
  jobs?: unknown;
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== "");
}

function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== "");
}

/** Extractive summary: the sentences with the most frequent content words, in original order. */
export function summarize(text: string, count: number = SUMMARY_SENTENCES): string {
  const all = sentences(text);
  const tokens = (sentence: string): string[] =>
    (sentence.toLowerCase().match(/[a-z0-9']+/g) ?? []).filter((token) => !STOP_WORDS.has(token));
  const frequency = new Map<string, number>();
  for (const token of all.flatMap(tokens)) frequency.set(token, (frequency.get(token) ?? 0) + 1);
  const scored = all.map((sentence, index) => {
    const own = tokens(sentence);
    const score = own.reduce((sum, token) => sum + (frequency.get(token) ?? 0), 0) / Math.max(own.length, 1);
    return { sentence, index, score };
  });
  const best = [...scored].sort((a, b) => b.score - a.score || a.index - b.index).slice(0, count);
  return best
    .sort((a, b) => a.index - b.index)
    .map((entry) => entry.sentence)
    .join(" ");
}

/** Splits a reply into word chunks (each keeps its trailing whitespace) so they concatenate back exactly. */
export function wordChunks(reply: string): string[] {
  return reply.match(/\s*\S+\s*/g) ?? (reply === "" ? [] : [reply]);
}

function describeTask(id: string, task: TaskView): string {
  const jobs = Array.isArray(task.jobs) ? (task.jobs as TaskJob[]) : [];
  const counts = new Map<string, number>();
  for (const job of jobs) {
    const status = typeof job.status === "string" ? job.status : "unknown";
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const order = ["done", "running", "queued", "pending", "failed"];
  const known = order.filter((status) => counts.has(status));
  const others = [...counts.keys()].filter((status) => !order.includes(status)).sort();
  const parts = [...known, ...others].map((status) => `${counts.get(status)} ${status}`);
  const status = typeof task.status === "string" ? task.status : "unknown";
  const goal = typeof task.goal === "string" && task.goal !== "" ? ` ("${task.goal}")` : "";
  const plural = jobs.length === 1 ? "job" : "jobs";
  return `Task ${id}${goal} is ${status}: ${jobs.length} ${plural}` + (parts.length > 0 ? ` (${parts.join(", ")}).` : ".");
}

export class LocalProvider implements Provider {
  readonly name = "local";

  constructor(private readonly orchestratorUrl: string) {}

  async complete(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<string> {
    const last = [...messages].reverse().find((message) => message.role === "user");
    const text = last?.content ?? "";
    const taskId = TASK_STATUS.exec(text)?.[1] ?? TASK_THEN_STATUS.exec(text)?.[1];
    if (taskId !== undefined) return this.taskStatus(taskId.toLowerCase(), signal);
    if (GREETING.test(text)) return `Hello! ${HELP_TEXT}`;
    if (HELP.test(text)) return HELP_TEXT;
    const echo = ECHO.exec(text);
    if (echo) return echo[1]!.trim();
    const summary = SUMMARIZE.exec(text);
    if (summary) {
      const body = summary[1]!.trim();
      if (body === "") return 'Send the text after "summarize:" and I will summarise it.';
      return this.summaryReply(body);
    }
    const count = words(text).length;
    if (count >= AUTO_SUMMARY_WORDS) return this.summaryReply(text);
    if (count === 0) return `I did not get any text. ${HELP_TEXT}`;
    return `You said: "${text.trim()}" (${count} ${count === 1 ? "word" : "words"}). ${HELP_TEXT}`;
  }

  async *stream(messages: readonly ChatMessage[], signal?: AbortSignal): AsyncIterable<string> {
    yield* wordChunks(await this.complete(messages, signal));
  }

  private summaryReply(text: string): string {
    const count = words(text).length;
    return `Summary (${count} words, ${sentences(text).length} sentences): ${summarize(text)}`;
  }

  private async taskStatus(id: string, signal?: AbortSignal): Promise<string> {
    const url = `${this.orchestratorUrl}/tasks/${id}`;
    const timeout = AbortSignal.timeout(ORCHESTRATOR_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      // The user asked a question; an unreachable orchestrator is an answer, not a chat failure.
      return `I could not reach the orchestrator at ${this.orchestratorUrl} to look up task ${id} (${reason(error)}).`;
    }
    if (response.status === 404) return `I could not find task ${id}.`;
    if (!response.ok) return `The orchestrator answered HTTP ${response.status} for task ${id}.`;
    try {
      return describeTask(id, (await response.json()) as TaskView);
    } catch {
      return `The orchestrator sent an unreadable answer for task ${id}.`;
    }
  }
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message !== "") return cause.message;
    return error.message;
  }
  return String(error);
}
