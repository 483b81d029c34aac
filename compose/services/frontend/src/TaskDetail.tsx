import { duration, progress, type Task } from "./api";

export function TaskDetail({ task }: { task: Task }) {
  return (
    <section aria-label="task detail" className="card">
      <h2>{task.goal}</h2>
      <p>
        <span className={`status ${task.status}`} data-testid="detail-status">{task.status}</span> · {progress(task)}
        {task.finished_at && <> · {duration(task.created_at, task.finished_at)}</>}
      </p>
      <table>
        <thead>
          <tr><th>job</th><th>status</th><th>result</th></tr>
        </thead>
        <tbody>
          {(task.jobs ?? []).map((job) => (
            <tr key={job.id} data-kind={job.kind}>
              <td>{job.kind}</td>
              <td className={`status ${job.status}`}>{job.status}</td>
              <td><code>{job.error ?? (job.result ? JSON.stringify(job.result) : "")}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
