import { useCallback, useState } from "react";
import { api, type Task } from "./api";
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

  const refresh = useCallback(async () => {
    try {
      setTasks(await api.listTasks(20));
      if (selectedId) setSelected(await api.getTask(selectedId));
      setError(null);
    } catch (err) {
      setError(`gateway unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }, [selectedId]);
  usePolling(refresh, POLL_MS, [selectedId]);

  return (
    <main>
      <header>
        <h1>Agents</h1>
        {error && <p role="alert" className="error">{error}</p>}
      </header>
      <div className="grid">
        <div>
          <TaskForm onCreated={(task) => { setSelectedId(task.id); setSelected(task); void refresh(); }} />
          <TaskList tasks={tasks} selected={selectedId} onSelect={setSelectedId} />
        </div>
        <div>{selected ? <TaskDetail task={selected} /> : <p className="muted">Select a task.</p>}</div>
        <ChatPanel />
      </div>
    </main>
  );
}
