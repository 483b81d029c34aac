// Package store is the worker's side of the PostgreSQL schema in CONTRACT.md: it marks jobs
// running, and commits a job's result together with everything that result changes.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrJobNotFound means a queue entry names a job the database does not have.
var ErrJobNotFound = errors.New("job not found in the database")

// Job is one row of jobs, as the worker needs it.
type Job struct {
	ID, TaskID, Kind string
	Payload          json.RawMessage
	DependsOn        []string
	Status           string // the status before Start touched it
	Attempts         int
}

// Finished reports whether the job had already ended when it was delivered (a redelivery).
func (j Job) Finished() bool { return j.Status == "done" || j.Status == "failed" }

// Queued is a job that became ready to run and must be put on the stream.
type Queued struct {
	JobID, TaskID, Kind string
}

// Store wraps a connection pool.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store using pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Start marks a job running (and its task, the first time) and counts the attempt. A job that
// already ended is returned unchanged so the caller can acknowledge it without running it again.
// The statements go as one batch: one round trip, one implicit transaction.
func (s *Store) Start(ctx context.Context, jobID, worker string) (Job, error) {
	var job Job
	b := &pgx.Batch{}
	b.Queue(`SELECT id, task_id, kind, payload, depends_on, status, attempts
		FROM jobs WHERE id = $1 FOR UPDATE`, jobID).QueryRow(func(row pgx.Row) error {
		return row.Scan(&job.ID, &job.TaskID, &job.Kind, &job.Payload, &job.DependsOn, &job.Status, &job.Attempts)
	})
	b.Queue(`UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = $2, started_at = now()
		WHERE id = $1 AND status NOT IN ('done', 'failed') RETURNING attempts`, jobID, worker).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&job.Attempts); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	b.Queue(`UPDATE tasks SET status = 'running', started_at = now()
		WHERE status = 'pending' AND id = (SELECT task_id FROM jobs WHERE id = $1 AND status = 'running')`, jobID)
	err := s.pool.SendBatch(ctx, b).Close()
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, ErrJobNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("starting job %s: %w", jobID, err)
	}
	return job, nil
}

// DependencyOutputs returns the results of the given jobs in the given order.
func (s *Store) DependencyOutputs(ctx context.Context, jobIDs []string) ([]json.RawMessage, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT r.output FROM unnest($1::uuid[]) WITH ORDINALITY AS d(id, n)
		JOIN results r ON r.job_id = d.id ORDER BY d.n`, jobIDs)
	if err != nil {
		return nil, fmt.Errorf("reading dependency results: %w", err)
	}
	outputs, err := pgx.CollectRows(rows, pgx.RowTo[json.RawMessage])
	if err != nil {
		return nil, fmt.Errorf("reading dependency results: %w", err)
	}
	if len(outputs) != len(jobIDs) {
		return nil, fmt.Errorf("only %d of %d dependency results exist", len(outputs), len(jobIDs))
	}
	return outputs, nil
}

// lockTask serialises the transactions that end jobs of one task. Without it two workers
// finishing the last two dependencies of a job at the same time would each still see the other's
// job unfinished, and neither would release the dependent job. Each later statement of the
// transaction reads a snapshot taken after the lock was granted (READ COMMITTED).
const lockTask = `SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE`

// Complete stores a job's output and, in the same transaction, marks the job done, queues the
// task's pending jobs whose dependencies are now all done, and ends the task when nothing is
// left. It returns the newly queued jobs, to be put on the stream after the commit. Running it
// twice for one job changes nothing the second time (the result is inserted once). The
// statements go as one batch: one round trip, one implicit transaction.
func (s *Store) Complete(ctx context.Context, job Job, output json.RawMessage) ([]Queued, error) {
	var queued []Queued
	b := &pgx.Batch{}
	b.Queue(lockTask, job.TaskID)
	b.Queue(`INSERT INTO results (job_id, task_id, output) VALUES ($1, $2, $3)
		ON CONFLICT (job_id) DO NOTHING`, job.ID, job.TaskID, output)
	b.Queue(`UPDATE jobs SET status = 'done', error = NULL, finished_at = now()
		WHERE id = $1 AND status <> 'done'`, job.ID)
	b.Queue(`UPDATE jobs p SET status = 'queued'
		WHERE p.task_id = $1 AND p.status = 'pending' AND NOT EXISTS (
			SELECT 1 FROM jobs d WHERE d.id = ANY (p.depends_on) AND d.status <> 'done')
		RETURNING p.id, p.task_id, p.kind`, job.TaskID).Query(func(rows pgx.Rows) error {
		var err error
		queued, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Queued])
		return err
	})
	b.Queue(`UPDATE tasks SET finished_at = now(), status = CASE WHEN EXISTS (
			SELECT 1 FROM jobs WHERE task_id = $1 AND status = 'failed') THEN 'failed' ELSE 'done' END
		WHERE id = $1 AND status NOT IN ('done', 'failed') AND NOT EXISTS (
			SELECT 1 FROM jobs WHERE task_id = $1 AND status NOT IN ('done', 'failed'))`, job.TaskID)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("completing job %s: %w", job.ID, err)
	}
	return queued, nil
}

// Release puts a running job back to queued after a failed or interrupted attempt; its stream
// entry stays unacknowledged, so it is delivered again after the claim idle time.
func (s *Store) Release(ctx context.Context, jobID, reason string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE jobs SET status = 'queued', error = $2 WHERE id = $1 AND status = 'running'`, jobID, reason)
	if err != nil {
		return fmt.Errorf("releasing job %s: %w", jobID, err)
	}
	return nil
}

// Fail ends a job for good: the job and every pending job that depends on it (directly or not)
// become failed, and so does the task. It reports false, changing nothing, when the job had
// already ended (a job that is done stays done).
func (s *Store) Fail(ctx context.Context, jobID, reason string) (bool, error) {
	failed := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var taskID string
		err := tx.QueryRow(ctx, `SELECT task_id FROM jobs WHERE id = $1`, jobID).Scan(&taskID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, lockTask, taskID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE jobs SET status = 'failed', error = $2, finished_at = now()
			WHERE id = $1 AND status NOT IN ('done', 'failed')`, jobID, reason)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		failed = true
		if _, err := tx.Exec(ctx, `
			WITH RECURSIVE dependents(id) AS (
				SELECT id FROM jobs WHERE task_id = $1 AND $2 = ANY (depends_on)
				UNION
				SELECT j.id FROM jobs j JOIN dependents d ON d.id = ANY (j.depends_on) WHERE j.task_id = $1)
			UPDATE jobs SET status = 'failed', error = 'a job it depends on failed: ' || $2::text,
				finished_at = now()
			WHERE id IN (SELECT id FROM dependents) AND status = 'pending'`, taskID, jobID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE tasks SET status = 'failed', finished_at = now()
			WHERE id = $1 AND status NOT IN ('done', 'failed')`, taskID)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, ErrJobNotFound
	}
	if err != nil {
		return false, fmt.Errorf("failing job %s: %w", jobID, err)
	}
	return failed, nil
}

// QueuedDependents lists the queued jobs that depend on a job. A worker that crashed between
// committing a result and putting the released jobs on the stream leaves them queued but
// unannounced; whoever sees the finished job again announces them (a duplicate entry is harmless).
func (s *Store) QueuedDependents(ctx context.Context, job Job) ([]Queued, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, task_id, kind FROM jobs
		WHERE task_id = $1 AND $2 = ANY (depends_on) AND status = 'queued'`, job.TaskID, job.ID)
	if err != nil {
		return nil, fmt.Errorf("listing dependents of job %s: %w", job.ID, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Queued])
}
