// What every model provider offers the server: a whole reply, or the same reply in pieces.
import type { ChatMessage } from "../messages";

export interface Provider {
  readonly name: string;
  complete(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<string>;
  /** Yields pieces whose concatenation is the whole reply. */
  stream(messages: readonly ChatMessage[], signal?: AbortSignal): AsyncIterable<string>;
}

/** The model endpoint failed or answered nonsense; the server turns it into a 502. */
export class ProviderError extends Error {
  override name = "ProviderError";
}
