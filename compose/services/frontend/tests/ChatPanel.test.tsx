import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatMessage } from "../src/api";
import { ChatPanel } from "../src/ChatPanel";
import { PATIENCE_MS, type SeenRequest, sendJson, startStandIn, type StandIn } from "./standin";

interface ChatBody {
  conversation_id?: string;
  messages: ChatMessage[];
}

/**
 * A stand-in for the chat service behind the gateway, with its contract (compose/services/chat/README.md):
 * the stored history of a conversation is put in front of the new messages, and the turn is stored
 * after the reply. The reply says how many messages the model saw, so a doubled history shows.
 */
class ChatStandIn {
  readonly history = new Map<string, ChatMessage[]>();
  /** Set to hold the next replies back until release() is called. */
  holding = false;
  failNext = false;
  private held: (() => void)[] = [];
  server!: StandIn;

  async start(): Promise<void> {
    this.server = await startStandIn((request, res) => {
      if (this.failNext) {
        this.failNext = false;
        sendJson(res, 502, { error: { code: "bad_gateway", message: "chat is down" } });
        return;
      }
      const reply = () => this.answer(request, res);
      if (this.holding) this.held.push(reply);
      else reply();
    });
  }

  release(): void {
    this.holding = false;
    for (const reply of this.held.splice(0)) reply();
  }

  get turns(): ChatBody[] {
    return this.server.requests.map((request) => request.body as ChatBody);
  }

  private answer(request: SeenRequest, res: ServerResponse): void {
    const body = request.body as ChatBody;
    const id = body.conversation_id ?? `conv-${this.history.size + 1}`;
    const context = [...(this.history.get(id) ?? []), ...body.messages];
    const message: ChatMessage = { role: "assistant", content: `heard ${context.length}: ${context.at(-1)?.content}` };
    this.history.set(id, [...context, message]);
    sendJson(res, 200, { conversation_id: id, message, provider: "stand-in" });
  }
}

function transcript(): string[] {
  return screen.queryAllByRole("listitem").map((item) => `${item.dataset.role}:${item.textContent}`);
}

function say(text: string): void {
  fireEvent.change(screen.getByLabelText("message"), { target: { value: text } });
  fireEvent.click(screen.getByRole("button", { name: "Send" }));
}

async function waitForTranscript(expected: string[]): Promise<void> {
  await waitFor(() => expect(transcript()).toEqual(expected), { timeout: PATIENCE_MS });
}

describe("ChatPanel against a chat stand-in", () => {
  let chat: ChatStandIn;
  beforeEach(async () => {
    chat = new ChatStandIn();
    await chat.start();
    window.__CONFIG__ = { gatewayUrl: chat.server.url };
  });
  afterEach(async () => {
    cleanup();
    delete window.__CONFIG__;
    await chat.server.close();
  });

  it("sends only the new message of each turn, so the stored history is not doubled", async () => {
    render(<ChatPanel />);
    say("first");
    await waitForTranscript(["user:first", "assistant:heard 1: first"]);
    say("second");
    await waitForTranscript(["user:first", "assistant:heard 1: first", "user:second", "assistant:heard 3: second"]);
    say("third");
    await waitForTranscript([
      "user:first", "assistant:heard 1: first", "user:second", "assistant:heard 3: second",
      "user:third", "assistant:heard 5: third",
    ]);
    expect(chat.turns).toEqual([
      { messages: [{ role: "user", content: "first" }] },
      { conversation_id: "conv-1", messages: [{ role: "user", content: "second" }] },
      { conversation_id: "conv-1", messages: [{ role: "user", content: "third" }] },
    ]);
    expect(chat.history.get("conv-1")).toHaveLength(6);
  });

  it("keeps a message typed while a reply is pending and sends it as the next turn", async () => {
    chat.holding = true;
    render(<ChatPanel />);
    say("first");
    await waitFor(() => expect(chat.server.requests).toHaveLength(1), { timeout: PATIENCE_MS });
    say("second");
    await waitForTranscript(["user:first", "user:second"]);
    expect(screen.getAllByRole("listitem").map((item) => item.dataset.pending)).toEqual(["true", "true"]);
    chat.release();
    await waitForTranscript(["user:first", "assistant:heard 1: first", "user:second", "assistant:heard 3: second"]);
    expect(chat.turns).toEqual([
      { messages: [{ role: "user", content: "first" }] },
      { conversation_id: "conv-1", messages: [{ role: "user", content: "second" }] },
    ]);
  });

  it("shows a failed turn's error and sends its message along with the next one", async () => {
    chat.failNext = true;
    render(<ChatPanel />);
    say("first");
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/^chat is down/), { timeout: PATIENCE_MS });
    expect(transcript()).toEqual(["user:first"]);
    say("second");
    await waitForTranscript(["user:first", "user:second", "assistant:heard 2: second"]);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(chat.turns.at(-1)).toEqual({ messages: [{ role: "user", content: "first" }, { role: "user", content: "second" }] });
  });

  it("does not send an empty message", () => {
    render(<ChatPanel />);
    fireEvent.change(screen.getByLabelText("message"), { target: { value: "   " } });
    expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.submit(screen.getByLabelText("message").closest("form")!);
    expect(transcript()).toEqual([]);
  });
});
