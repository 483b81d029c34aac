import { type Task } from "./api";

export function TaskList({ tasks, selected, onSelect }: { tasks: Task[]; selected?: string; onSelect: (id: string) => void }) {
  if (tasks.length === 0) return <p className="muted">No tasks yet.</p>;
  return (
    <ul className="tasks" aria-label="tasks">
      {tasks.map((task) => (
        <li key={task.id} className={task.id === selected ? "selected" : ""}>
          <button type="button" onClick={() => onSelect(task.id)}>
            <span className={`status ${task.status}`} data-testid="task-status">{task.status}</span> {task.goal}
          </button>
        </li>
      ))}
    </ul>
  );
}
