import { useCallback, useState } from "react";
import { api, isAbort, type Task } from "./api";
import { ChatPanel } from "./ChatPanel";
import { TaskDetail } from "./TaskDetail";
import { TaskForm } from "./TaskForm";
import { TaskList } from "./TaskList";
import { usePolling } from "./usePolling";

const POLL_MS = 1000;

export function App() {
  const [tasks, setTasks] = useState<Task[]>([]);
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [selected, setSelected] = useState<Task | undefined>();
  const [error, setError] = useState<string | null>(null);

  // A new selection makes a new refresh: usePolling aborts the old one's requests.
  const refresh = useCallback(
    async (signal: AbortSignal) => {
      try {
        const [list, task] = await Promise.all([
          api.listTasks(20, { signal }),
          selectedId === undefined ? undefined : api.getTask(selectedId, { signal }),
        ]);
        if (signal.aborted) return; // answered, but the selection changed meanwhile
        setTasks(list);
        setSelected(task);
        setError(null);
      } catch (err) {
        if (signal.aborted || isAbort(err)) return;
        setError(`gateway unreachable: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    [selectedId],
  );
  usePolling(refresh, POLL_MS);

  // Never show one task's details under another's selection, even for a moment.
  const shown = selected !== undefined && selected.id === selectedId ? selected : undefined;

  return (
    <main>
      <header>
        <h1>Agents</h1>
        {error && <p role="alert" className="error">{error}</p>}
      </header>
      <div className="grid">
        <div>
          <TaskForm onCreated={(task) => { setSelectedId(task.id); setSelected(task); }} />
          <TaskList tasks={tasks} selected={selectedId} onSelect={setSelectedId} />
        </div>
        <div>
          {shown ? <TaskDetail task={shown} /> : <p className="muted">{selectedId ? "Loading…" : "Select a task."}</p>}
        </div>
        <ChatPanel />
      </div>
    </main>
  );
}
