import { useState, type FormEvent } from "react";
import { api, type ChatMessage } from "./api";

export function ChatPanel() {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [conversation, setConversation] = useState<string | undefined>();
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function send(event: FormEvent) {
    event.preventDefault();
    const next: ChatMessage[] = [...messages, { role: "user", content: draft }];
    setMessages(next);
    setDraft("");
    setError(null);
    try {
      const reply = await api.chat(next, conversation);
      setConversation(reply.conversation_id);
      setMessages([...next, reply.message]);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <section aria-label="chat" className="card">
      <h2>Chat</h2>
      <ol className="messages">
        {messages.map((message, index) => (
          <li key={index} className={message.role} data-role={message.role}>{message.content}</li>
        ))}
      </ol>
      <form onSubmit={send}>
        <input aria-label="message" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Ask something…" />
        <button type="submit" disabled={draft.trim() === ""}>Send</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
