import { useState, type FormEvent } from "react";
import { useChat } from "./useChat";

export function ChatPanel() {
  const chat = useChat();
  const [draft, setDraft] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    if (draft.trim() === "") return;
    chat.send(draft);
    setDraft("");
  }

  return (
    <section aria-label="chat" className="card">
      <h2>Chat</h2>
      <ol className="messages" aria-busy={chat.pending.length > 0}>
        {chat.transcript.map((message, index) => (
          <li key={`answered-${index}`} className={message.role} data-role={message.role}>{message.content}</li>
        ))}
        {chat.pending.map((message, index) => (
          <li key={`pending-${index}`} className={`${message.role} pending`} data-role={message.role} data-pending="true">
            {message.content}
          </li>
        ))}
      </ol>
      <form onSubmit={submit}>
        <input aria-label="message" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Ask something…" />
        <button type="submit" disabled={draft.trim() === ""}>Send</button>
      </form>
      {chat.error && <p role="alert" className="error">{chat.error}</p>}
    </section>
  );
}
