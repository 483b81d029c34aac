-- A copy of the orchestrator's migrations (compose/services/orchestrator/orchestrator/migrations/
-- 0001_init.sql + 0002_indexes.sql), which own the schema of compose/CONTRACT.md. The worker's
-- tests and benchmark create their databases from it; keep it in step with those migrations.
-- Tasks, their jobs and the jobs' results (compose/CONTRACT.md, "PostgreSQL schema").
CREATE TABLE tasks (
    id          uuid PRIMARY KEY,
    goal        text NOT NULL,
    input       text NOT NULL DEFAULT '',
    status      text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz
);

CREATE TABLE jobs (
    id          uuid PRIMARY KEY,
    task_id     uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}',
    depends_on  uuid[] NOT NULL DEFAULT '{}',
    status      text NOT NULL CHECK (status IN ('pending', 'queued', 'running', 'done', 'failed')),
    attempts    int NOT NULL DEFAULT 0,
    error       text,
    worker      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz
);

CREATE TABLE results (
    job_id     uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    task_id    uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    output     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- The orchestrator lists tasks newest first (optionally by status) and reads a task's jobs in
-- plan order; workers look up the pending jobs of a task. "position" keeps the planner's order,
-- which neither random ids nor one transaction's shared now() can.
ALTER TABLE jobs ADD COLUMN position int NOT NULL DEFAULT 0;
CREATE INDEX jobs_task_id_position ON jobs (task_id, position);
CREATE INDEX tasks_created_at ON tasks (created_at DESC, id DESC);
CREATE INDEX tasks_status_created_at ON tasks (status, created_at DESC, id DESC);
CREATE INDEX results_task_id ON results (task_id);
