import { useCallback, useRef, useState } from "react";
import { api, type ChatMessage } from "./api";

export interface Chat {
  /** Answered turns, in the order the chat service stored them. */
  transcript: ChatMessage[];
  /** The user's messages without an answer yet: the turn in flight, then those typed meanwhile. */
  pending: ChatMessage[];
  error: string | null;
  send(content: string): void;
}

/**
 * One conversation with the chat service. The service puts the stored history in front of each
 * turn's messages (compose/services/chat/README.md), so a turn carries only messages it has not
 * seen, and turns go one at a time: the next starts once the reply (and its conversation id) is in.
 * Messages typed while a reply is pending wait and go together as the next turn.
 */
export function useChat(): Chat {
  const [transcript, setTranscript] = useState<ChatMessage[]>([]);
  const [pending, setPending] = useState<ChatMessage[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Used only by send and the send loop, never during render.
  const outbox = useRef<ChatMessage[]>([]);
  const conversation = useRef<string | undefined>(undefined);
  const sending = useRef(false);

  const flush = useCallback(async () => {
    if (sending.current) return; // the running loop sends the new message with its next turn
    sending.current = true;
    try {
      while (outbox.current.length > 0) {
        const turn = outbox.current;
        outbox.current = [];
        try {
          const reply = await api.chat(turn, conversation.current);
          conversation.current = reply.conversation_id;
          setTranscript((answered) => [...answered, ...turn, reply.message]);
          setPending((waiting) => waiting.slice(turn.length));
          setError(null);
        } catch (err) {
          // A failed turn stores nothing: keep its messages for the next one.
          outbox.current = [...turn, ...outbox.current];
          const reason = err instanceof Error ? err.message : String(err);
          setError(`${reason} (not sent: your next message takes it along)`);
          return;
        }
      }
    } finally {
      sending.current = false;
    }
  }, []);

  const send = useCallback(
    (content: string) => {
      const message: ChatMessage = { role: "user", content };
      outbox.current = [...outbox.current, message];
      setPending((waiting) => [...waiting, message]);
      void flush();
    },
    [flush],
  );

  return { transcript, pending, error, send };
}
