package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/kubemap/stack/worker/internal/store"
	"github.com/kubemap/stack/worker/internal/testenv"
)

var ctx = context.Background()

func TestStartMarksJobAndTaskRunning(t *testing.T) {
	env := testenv.New(t)
	s := store.New(env.Pool)
	taskID, ids := env.InsertTask(t, testenv.JobSpec{Kind: "wordcount", Payload: `{"text":"a b"}`})

	job, err := s.Start(ctx, ids[0], "w1")
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != ids[0] || job.TaskID != taskID || job.Kind != "wordcount" || job.Status != "queued" ||
		job.Attempts != 1 || string(job.Payload) != `{"text": "a b"}` {
		t.Fatalf("unexpected job %+v (payload %s)", job, job.Payload)
	}
	if got := env.Str(t, `SELECT status || ' ' || worker || ' ' || (started_at IS NOT NULL) FROM jobs WHERE id = $1`, ids[0]); got != "running w1 true" {
		t.Fatalf("job row: %s", got)
	}
	if got := env.Str(t, `SELECT status || ' ' || (started_at IS NOT NULL) FROM tasks WHERE id = $1`, taskID); got != "running true" {
		t.Fatalf("task row: %s", got)
	}
	if _, err := s.Start(ctx, testenv.NewUUID(), "w1"); !errors.Is(err, store.ErrJobNotFound) {
		t.Fatalf("unknown job: err = %v", err)
	}
}

func TestCompleteReleasesDependentsAndEndsTask(t *testing.T) {
	env := testenv.New(t)
	s := store.New(env.Pool)
	taskID, ids := env.InsertTask(t,
		testenv.JobSpec{Kind: "wordcount", Payload: `{"text":"a"}`},
		testenv.JobSpec{Kind: "wordcount", Payload: `{"text":"b c"}`},
		testenv.JobSpec{Kind: "aggregate", DependsOn: []int{0, 1}},
	)
	complete := func(id, output string) []store.Queued {
		t.Helper()
		job, err := s.Start(ctx, id, "w1")
		if err != nil {
			t.Fatal(err)
		}
		q, err := s.Complete(ctx, job, json.RawMessage(output))
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if q := complete(ids[0], `{"words":1}`); len(q) != 0 {
		t.Fatalf("aggregate released before its second dependency: %+v", q)
	}
	if got := env.Str(t, `SELECT status FROM jobs WHERE id = $1`, ids[2]); got != "pending" {
		t.Fatalf("aggregate is %s", got)
	}
	q := complete(ids[1], `{"words":2}`)
	if len(q) != 1 || q[0] != (store.Queued{JobID: ids[2], TaskID: taskID, Kind: "aggregate"}) {
		t.Fatalf("released %+v", q)
	}
	outs, err := s.DependencyOutputs(ctx, []string{ids[1], ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || string(outs[0]) != `{"words": 2}` || string(outs[1]) != `{"words": 1}` {
		t.Fatalf("dependency outputs out of order: %s", outs)
	}
	if got := env.Str(t, `SELECT status FROM tasks WHERE id = $1`, taskID); got != "running" {
		t.Fatalf("task ended early: %s", got)
	}
	complete(ids[2], `{"words":3}`)
	if got := env.Str(t, `SELECT status || ' ' || (finished_at IS NOT NULL) FROM tasks WHERE id = $1`, taskID); got != "done true" {
		t.Fatalf("task: %s", got)
	}

	// A second completion of the same job (a redelivery racing a slow worker) changes nothing.
	job := store.Job{ID: ids[1], TaskID: taskID}
	q, err = s.Complete(ctx, job, json.RawMessage(`{"words":99}`))
	if err != nil || len(q) != 0 {
		t.Fatalf("second completion: %v %+v", err, q)
	}
	if n := env.Int(t, `SELECT count(*) FROM results WHERE task_id = $1`, taskID); n != 3 {
		t.Fatalf("%d results, want 3", n)
	}
	if got := env.Str(t, `SELECT output::text FROM results WHERE job_id = $1`, ids[1]); got != `{"words": 2}` {
		t.Fatalf("result overwritten: %s", got)
	}
	if _, err := s.DependencyOutputs(ctx, []string{ids[0], testenv.NewUUID()}); err == nil {
		t.Fatal("a missing dependency result must be an error")
	}
}

// Two workers finishing the last two dependencies at the same moment must release the dependent
// job exactly once (the task row lock); without it both can miss each other's commit.
func TestConcurrentCompletionsReleaseExactlyOnce(t *testing.T) {
	env := testenv.New(t)
	s := store.New(env.Pool)
	const tasks = 25
	for range tasks {
		_, ids := env.InsertTask(t,
			testenv.JobSpec{Kind: "sha256", Payload: `{"text":"a"}`},
			testenv.JobSpec{Kind: "sha256", Payload: `{"text":"b"}`},
			testenv.JobSpec{Kind: "aggregate", DependsOn: []int{0, 1}},
		)
		var jobs [2]store.Job
		for i := range jobs {
			var err error
			if jobs[i], err = s.Start(ctx, ids[i], "w"); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		released := make([][]store.Queued, 2)
		for i := range jobs {
			wg.Go(func() {
				q, err := s.Complete(ctx, jobs[i], json.RawMessage(`{}`))
				if err != nil {
					t.Error(err)
				}
				released[i] = q
			})
		}
		wg.Wait()
		if n := len(released[0]) + len(released[1]); n != 1 {
			t.Fatalf("aggregate released %d times, want 1", n)
		}
	}
}

func TestFailEndsJobDependentsAndTask(t *testing.T) {
	env := testenv.New(t)
	s := store.New(env.Pool)
	taskID, ids := env.InsertTask(t,
		testenv.JobSpec{Kind: "translate"},
		testenv.JobSpec{Kind: "sha256", Payload: `{"text":"x"}`},
		testenv.JobSpec{Kind: "aggregate", DependsOn: []int{0}},
		testenv.JobSpec{Kind: "aggregate", DependsOn: []int{2}},
	)
	if _, err := s.Start(ctx, ids[0], "w"); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, ids[0], "boom 1"); err != nil {
		t.Fatal(err)
	}
	if got := env.Str(t, `SELECT status || ' ' || error FROM jobs WHERE id = $1`, ids[0]); got != "queued boom 1" {
		t.Fatalf("released job: %s", got)
	}
	failed, err := s.Fail(ctx, ids[0], "unknown job kind")
	if err != nil || !failed {
		t.Fatalf("Fail = %v, %v", failed, err)
	}
	rows, err := env.Pool.Query(ctx, `SELECT status, coalesce(error, '') FROM jobs WHERE task_id = $1 ORDER BY position`, taskID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var st, msg string
		if err := rows.Scan(&st, &msg); err != nil {
			t.Fatal(err)
		}
		got = append(got, st+": "+msg)
	}
	want := []string{
		"failed: unknown job kind",
		"queued: ", // not a dependent: left alone
		"failed: a job it depends on failed: " + ids[0],
		"failed: a job it depends on failed: " + ids[0],
	}
	if len(got) != len(want) {
		t.Fatalf("jobs %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("job %d: %q, want %q", i, got[i], want[i])
		}
	}
	if st := env.Str(t, `SELECT status FROM tasks WHERE id = $1`, taskID); st != "failed" {
		t.Fatalf("task %s", st)
	}
	// A job that ended stays as it is.
	if failed, err := s.Fail(ctx, ids[0], "again"); err != nil || failed {
		t.Fatalf("second Fail = %v, %v", failed, err)
	}
	if _, err := s.Fail(ctx, testenv.NewUUID(), "x"); !errors.Is(err, store.ErrJobNotFound) {
		t.Fatalf("unknown job: %v", err)
	}
}

func TestQueuedDependents(t *testing.T) {
	env := testenv.New(t)
	s := store.New(env.Pool)
	taskID, ids := env.InsertTask(t,
		testenv.JobSpec{Kind: "sha256", Payload: `{"text":"x"}`},
		testenv.JobSpec{Kind: "aggregate", DependsOn: []int{0}},
	)
	job := store.Job{ID: ids[0], TaskID: taskID}
	if q, err := s.QueuedDependents(ctx, job); err != nil || len(q) != 0 {
		t.Fatalf("pending dependents listed: %v %+v", err, q)
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE jobs SET status = 'queued' WHERE id = $1`, ids[1]); err != nil {
		t.Fatal(err)
	}
	q, err := s.QueuedDependents(ctx, job)
	if err != nil || len(q) != 1 || q[0].JobID != ids[1] || q[0].Kind != "aggregate" {
		t.Fatalf("dependents %v %+v", err, q)
	}
}
