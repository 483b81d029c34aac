// Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp server, ...).
import type { OpenAIConfig } from "../config";
import type { ChatMessage } from "../messages";
import { type Provider, ProviderError } from "./types";

/** How long to wait for the endpoint's response headers; generation itself may take longer. */
const HEADERS_TIMEOUT_MS = 60_000;
/** How much of an error body to quote back in the 502 message. */
const ERROR_SNIPPET_CHARS = 300;

interface CompletionChoice {
  message?: { content?: unknown };
  delta?: { content?: unknown };
}
interface CompletionBody {
  choices?: CompletionChoice[];
  error?: { message?: unknown };
}

export class OpenAIProvider implements Provider {
  readonly name = "openai";
  private readonly url: string;

  constructor(private readonly config: OpenAIConfig) {
    this.url = `${config.baseUrl}/chat/completions`;
  }

  async complete(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<string> {
    const response = await this.post(messages, false, signal);
    const body = await this.readJson(response);
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== "string") {
      throw new ProviderError(`LLM endpoint ${this.url} answered without choices[0].message.content`);
    }
    return content;
  }

  async *stream(messages: readonly ChatMessage[], signal?: AbortSignal): AsyncIterable<string> {
    const response = await this.post(messages, true, signal);
    if (response.body === null) throw new ProviderError(`LLM endpoint ${this.url} sent an empty stream`);
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const bytes of response.body) {
      buffered += decoder.decode(bytes as Uint8Array, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, "");
        buffered = buffered.slice(newline + 1);
        const data = dataOf(line);
        if (data === undefined) continue; // blank separators, comments, event:/id: fields
        if (data === "[DONE]") return;
        const piece = this.deltaOf(data);
        if (piece !== "") yield piece;
      }
    }
    const tail = dataOf(buffered.trim());
    if (tail !== undefined && tail !== "[DONE]") {
      const piece = this.deltaOf(tail);
      if (piece !== "") yield piece;
    }
  }

  private async post(messages: readonly ChatMessage[], stream: boolean, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (stream) headers["accept"] = "text/event-stream";
    if (this.config.apiKey !== undefined) headers["authorization"] = `Bearer ${this.config.apiKey}`;
    const body = JSON.stringify({
      model: this.config.model,
      messages: messages.map(({ role, content }) => ({ role, content })),
      stream,
    });
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    signal?.addEventListener("abort", abort, { once: true });
    const timer = setTimeout(abort, HEADERS_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(this.url, { method: "POST", headers, body, signal: controller.signal });
    } catch (error) {
      throw new ProviderError(`cannot reach LLM endpoint ${this.url}: ${describe(error)}`);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      const snippet = (await response.text().catch(() => "")).slice(0, ERROR_SNIPPET_CHARS);
      throw new ProviderError(`LLM endpoint ${this.url} answered HTTP ${response.status}: ${errorMessage(snippet)}`);
    }
    return response;
  }

  private async readJson(response: Response): Promise<CompletionBody> {
    try {
      return (await response.json()) as CompletionBody;
    } catch (error) {
      throw new ProviderError(`LLM endpoint ${this.url} sent invalid JSON: ${describe(error)}`);
    }
  }

  private deltaOf(data: string): string {
    let chunk: CompletionBody;
    try {
      chunk = JSON.parse(data) as CompletionBody;
    } catch {
      throw new ProviderError(`LLM endpoint ${this.url} sent an invalid stream chunk: ${data.slice(0, 100)}`);
    }
    if (chunk.error !== undefined) {
      throw new ProviderError(`LLM endpoint ${this.url} reported an error mid-stream: ${String(chunk.error.message)}`);
    }
    const content = chunk.choices?.[0]?.delta?.content;
    return typeof content === "string" ? content : ""; // role-only and finish chunks carry no text
  }
}

function dataOf(line: string): string | undefined {
  if (!line.startsWith("data:")) return undefined;
  return line.slice(5).replace(/^ /, "");
}

/** Prefers the OpenAI error envelope's message over raw JSON. */
function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as CompletionBody;
    if (typeof parsed.error?.message === "string") return parsed.error.message;
  } catch {
    // not JSON: quote it as is
  }
  return body.trim() === "" ? "(empty body)" : body.trim();
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (error.name === "AbortError") return "timed out or cancelled";
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}
