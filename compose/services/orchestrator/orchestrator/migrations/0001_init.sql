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
