// Conversation history in Redis: one list per conversation id, JSON messages, oldest first.
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import type { ChatMessage } from "./messages";

export type RedisClient = ReturnType<typeof createClient>;

/** Keeps one conversation's list bounded; older turns fall off the front. */
export const MAX_HISTORY_MESSAGES = 200;
/**
 * How long a request waits for Redis to (re)connect before it gets a 503: covers the moment after
 * start-up (the port answers before Redis is connected) and short reconnects.
 */
export const READY_WAIT_MS = 2000;

export class HistoryUnavailableError extends Error {
  override name = "HistoryUnavailableError";
}

export interface HistoryOptions {
  ttlSeconds: number;
  /** Namespace of every key; tests give each run its own. */
  keyPrefix?: string;
  readyWaitMs?: number;
}

export class HistoryStore {
  private readonly ttlSeconds: number;
  private readonly keyPrefix: string;
  private readonly readyWaitMs: number;

  constructor(private readonly client: RedisClient, options: HistoryOptions) {
    this.ttlSeconds = options.ttlSeconds;
    this.keyPrefix = options.keyPrefix ?? "chat:";
    this.readyWaitMs = options.readyWaitMs ?? READY_WAIT_MS;
  }

  static newConversationId(): string {
    return randomUUID();
  }

  key(conversationId: string): string {
    return `${this.keyPrefix}conversation:${conversationId}`;
  }

  get ready(): boolean {
    return this.client.isReady;
  }

  async load(conversationId: string): Promise<ChatMessage[]> {
    const items = await this.guard(() => this.client.lRange(this.key(conversationId), 0, -1));
    return items.map((item) => JSON.parse(item) as ChatMessage);
  }

  /** Appends and refreshes the TTL atomically, so a conversation lives TTL seconds after its last turn. */
  async append(conversationId: string, messages: readonly ChatMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const key = this.key(conversationId);
    await this.guard(() =>
      this.client
        .multi()
        .rPush(key, messages.map((message) => JSON.stringify({ role: message.role, content: message.content })))
        .lTrim(key, -MAX_HISTORY_MESSAGES, -1)
        .expire(key, this.ttlSeconds)
        .exec(),
    );
  }

  /** True once the client is connected, false if it is not within READY_WAIT_MS. */
  private async waitUntilReady(): Promise<boolean> {
    if (this.client.isReady) return true;
    if (!this.client.isOpen) return false; // never connected or quit: nothing to wait for
    return new Promise<boolean>((resolve) => {
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        this.client.off("ready", onReady);
        resolve(ready);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(this.client.isReady), this.readyWaitMs);
      this.client.on("ready", onReady);
    });
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    if (!(await this.waitUntilReady())) throw new HistoryUnavailableError("Redis is not connected");
    try {
      return await operation();
    } catch (error) {
      throw new HistoryUnavailableError(`Redis error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * A client that fails fast while Redis is away (no offline queue, so requests get a 503 instead
 * of hanging) and keeps reconnecting in the background.
 */
export function createRedisClient(url: string, onError: (error: Error) => void): RedisClient {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 3000) },
  });
  client.on("error", onError); // without a listener node-redis would crash the process
  return client;
}
