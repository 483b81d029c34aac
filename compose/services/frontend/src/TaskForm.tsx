import { useState, type FormEvent } from "react";
import { api, type Task } from "./api";

export function TaskForm({ onCreated }: { onCreated: (task: Task) => void }) {
  const [goal, setGoal] = useState("");
  const [input, setInput] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const task = await api.createTask(goal, input);
      setGoal("");
      setInput("");
      onCreated(task);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="new task" className="card">
      <h2>New task</h2>
      <label>
        Goal
        <input name="goal" value={goal} onChange={(e) => setGoal(e.target.value)} required maxLength={500} />
      </label>
      <label>
        Input text
        <textarea name="input" value={input} onChange={(e) => setInput(e.target.value)} rows={5} />
      </label>
      <button type="submit" disabled={busy || goal.trim() === ""}>
        {busy ? "Submitting…" : "Submit task"}
      </button>
      {error && <p role="alert" className="error">{error}</p>}
    </form>
  );
}
