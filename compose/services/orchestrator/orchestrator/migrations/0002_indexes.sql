-- The orchestrator lists tasks newest first (optionally by status) and reads a task's jobs in
-- plan order; workers look up the pending jobs of a task. "position" keeps the planner's order,
-- which neither random ids nor one transaction's shared now() can.
ALTER TABLE jobs ADD COLUMN position int NOT NULL DEFAULT 0;
CREATE INDEX jobs_task_id_position ON jobs (task_id, position);
CREATE INDEX tasks_created_at ON tasks (created_at DESC, id DESC);
CREATE INDEX tasks_status_created_at ON tasks (status, created_at DESC, id DESC);
CREATE INDEX results_task_id ON results (task_id);
