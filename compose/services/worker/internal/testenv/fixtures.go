package testenv

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// JobSpec describes a job to insert; DependsOn holds indexes of earlier specs (as the
// orchestrator's planner does).
type JobSpec struct {
	Kind      string
	Payload   string // JSON; empty means {}
	DependsOn []int
}

// NewUUID is a random (version 4) UUID.
func NewUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// InsertTask does what the orchestrator does (CONTRACT.md "Job queue"): the task and its jobs in
// one transaction, jobs without dependencies queued and the others pending, then one stream
// entry per queued job. It returns the task id and the job ids in spec order.
func InsertTask(ctx context.Context, db *pgx.Conn, rdb *redis.Client, stream string, specs []JobSpec) (string, []string, error) {
	taskID := NewUUID()
	ids := make([]string, len(specs))
	for i := range specs {
		ids[i] = NewUUID()
	}
	var entries []map[string]any
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO tasks (id, goal, status) VALUES ($1, 'test', 'pending')`, taskID); err != nil {
			return err
		}
		for i, s := range specs {
			deps := make([]string, len(s.DependsOn))
			for k, d := range s.DependsOn {
				deps[k] = ids[d]
			}
			status := "pending"
			if len(deps) == 0 {
				status = "queued"
				entries = append(entries, map[string]any{"job_id": ids[i], "task_id": taskID, "kind": s.Kind})
			}
			payload := s.Payload
			if payload == "" {
				payload = "{}"
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO jobs (id, task_id, kind, payload, depends_on, status, position)
				VALUES ($1, $2, $3, $4::jsonb, $5::uuid[], $6, $7)`,
				ids[i], taskID, s.Kind, payload, deps, status, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("inserting task: %w", err)
	}
	for _, e := range entries {
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: e}).Err(); err != nil {
			return "", nil, err
		}
	}
	return taskID, ids, nil
}

// InsertTask is the testing form of the function above, on this test's stream.
func (e *Env) InsertTask(t testing.TB, specs ...JobSpec) (string, []string) {
	t.Helper()
	ctx := context.Background()
	conn, err := e.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	taskID, ids, err := InsertTask(ctx, conn.Conn(), e.Redis, e.Stream, specs)
	if err != nil {
		t.Fatal(err)
	}
	return taskID, ids
}

// Int runs a query that returns one integer.
func (e *Env) Int(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// Str runs a query that returns one text value (NULL reads as "").
func (e *Env) Str(t testing.TB, sql string, args ...any) string {
	t.Helper()
	var s *string
	if err := e.Pool.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if s == nil {
		return ""
	}
	return *s
}

// Patience is how long a test waits for a condition before it fails. It is generous on purpose:
// CI machines have 2 shared cores and are often loaded, and waiting longer costs nothing when
// the condition holds early (tests wait for conditions, never for a fixed time).
const Patience = 60 * time.Second

// Eventually polls cond every 20 ms until it holds, failing the test with what after timeout.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PendingFor is the number of entries delivered to one consumer and not yet acknowledged.
func (e *Env) PendingFor(t testing.TB, consumer string) int64 {
	t.Helper()
	p, err := e.Redis.XPending(context.Background(), e.Stream, e.Group).Result()
	if err != nil {
		t.Fatal(err)
	}
	return p.Consumers[consumer]
}

// IdleMillis is how long Redis says an entry has been idle (since its last delivery or claim).
func (e *Env) IdleMillis(t testing.TB, id string) int64 {
	t.Helper()
	ext, err := e.Redis.XPendingExt(context.Background(), &redis.XPendingExtArgs{
		Stream: e.Stream, Group: e.Group, Start: id, End: id, Count: 1}).Result()
	if err != nil || len(ext) != 1 {
		t.Fatalf("XPENDING %s: %v %+v", id, err, ext)
	}
	return ext[0].Idle.Milliseconds()
}

// Pending is the number of delivered, unacknowledged entries of the test's stream.
func (e *Env) Pending(t testing.TB) int64 {
	t.Helper()
	p, err := e.Redis.XPending(context.Background(), e.Stream, e.Group).Result()
	if err != nil {
		t.Fatal(err)
	}
	return p.Count
}
