// Package worker is the job loop: it takes entries from the queue, runs their jobs with bounded
// concurrency, commits outcomes through the store, and shuts down without losing a job.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kubemap/stack/worker/internal/jobs"
	"github.com/kubemap/stack/worker/internal/queue"
	"github.com/kubemap/stack/worker/internal/store"
)

// Worker holds the parts and settings of one worker process.
type Worker struct {
	Queue         *queue.Queue
	Store         *store.Store
	Runner        jobs.Runner
	Log           *slog.Logger
	Name          string
	Concurrency   int
	MaxAttempts   int
	ClaimIdle     time.Duration
	ShutdownGrace time.Duration
}

// retryPause is how long the loop waits after Redis or PostgreSQL failed, before trying again.
const retryPause = time.Second

// Run processes jobs until ctx ends. Then it stops reading, gives the jobs in hand
// ShutdownGrace to finish, and interrupts the rest; their entries stay unacknowledged, so another
// worker reclaims them after the idle time.
func (w *Worker) Run(ctx context.Context) error {
	for {
		err := w.Queue.EnsureGroup(ctx)
		if err == nil {
			break
		}
		w.Log.Error("queue not ready; retrying", "error", err.Error())
		if !sleepCtx(ctx, retryPause) {
			return nil
		}
	}
	w.Log.Info("worker started", "consumer", w.Name, "concurrency", w.Concurrency)

	// Jobs outlive ctx (the shutdown signal) by up to the grace period.
	jobCtx, interruptJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer interruptJobs()
	var inFlight sync.WaitGroup
	slots := make(chan struct{}, w.Concurrency)
	claimEvery := min(w.ClaimIdle/2, 5*time.Second)
	var lastClaim time.Time

	for ctx.Err() == nil {
		free, ok := w.acquireSlots(ctx, slots)
		if !ok {
			break
		}
		var msgs []queue.Message
		var err error
		if time.Since(lastClaim) >= claimEvery {
			lastClaim = time.Now()
			msgs, err = w.Queue.Claim(ctx, free)
		}
		if err == nil && len(msgs) == 0 {
			msgs, err = w.Queue.Read(ctx, free)
		}
		for range free - len(msgs) {
			<-slots
		}
		if err != nil {
			if ctx.Err() == nil {
				w.Log.Error("queue read failed; retrying", "error", err.Error())
				sleepCtx(ctx, retryPause)
			}
			continue
		}
		for _, m := range msgs {
			inFlight.Add(1)
			go func() {
				defer func() { <-slots; inFlight.Done() }()
				w.handle(jobCtx, m)
			}()
		}
	}

	w.Log.Info("shutting down: no new jobs", "grace_seconds", w.ShutdownGrace.Seconds())
	done := make(chan struct{})
	go func() { inFlight.Wait(); close(done) }()
	select {
	case <-done:
		w.Log.Info("all jobs in hand finished")
	case <-time.After(w.ShutdownGrace):
		w.Log.Warn("grace period over: interrupting jobs in hand; they will be reclaimed")
		interruptJobs()
		<-done
	}
	return nil
}

// acquireSlots blocks for one free slot, then takes every other free one without waiting.
func (w *Worker) acquireSlots(ctx context.Context, slots chan struct{}) (int, bool) {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return 0, false
	}
	free := 1
	for free < cap(slots) {
		select {
		case slots <- struct{}{}:
			free++
		default:
			return free, true
		}
	}
	return free, true
}

// handle takes one entry to its end: acknowledged with its outcome committed, dead-lettered, or
// left pending to be delivered again.
func (w *Worker) handle(ctx context.Context, m queue.Message) {
	log := w.Log.With("stream_id", m.ID, "job_id", m.JobID, "task_id", m.TaskID, "kind", m.Kind,
		"delivery", m.Deliveries)
	if m.JobID == "" {
		w.deadLetter(ctx, log, m, "stream entry has no job_id")
		return
	}
	if m.Deliveries > int64(w.MaxAttempts) {
		// Its last holder died (or failed to record the outcome) on the final attempt.
		w.giveUp(ctx, log, m, fmt.Sprintf("delivered %d times without finishing (JOB_MAX_ATTEMPTS=%d)",
			m.Deliveries, w.MaxAttempts))
		return
	}
	job, err := w.Store.Start(ctx, m.JobID, w.Name)
	if errors.Is(err, store.ErrJobNotFound) {
		w.deadLetter(ctx, log, m, err.Error())
		return
	}
	if err != nil {
		log.Error("cannot start job; it will be delivered again", "error", err.Error())
		return
	}
	if job.Finished() {
		w.acknowledgeFinished(ctx, log, m, job)
		return
	}
	started := time.Now()
	output, err := w.runJob(ctx, m, job)
	if err != nil {
		w.failAttempt(ctx, log, m, job, err)
		return
	}
	queued, err := w.Store.Complete(ctx, job, output)
	if err != nil {
		log.Error("cannot store result; it will be delivered again", "error", err.Error())
		return
	}
	if err := w.Queue.Publish(ctx, toEntries(queued)); err != nil {
		// Unacknowledged, the entry comes back; the job is then done and its queued
		// dependents are announced again (acknowledgeFinished).
		log.Error("cannot queue released jobs; the entry will be delivered again", "error", err.Error())
		return
	}
	if err := w.Queue.Ack(ctx, m.ID); err != nil {
		log.Error("result stored but not acknowledged; a redelivery will only acknowledge it", "error", err.Error())
		return
	}
	log.Info("job done", "attempt", job.Attempts, "released", len(queued),
		"duration_ms", time.Since(started).Milliseconds())
}

// runJob runs the job while a heartbeat keeps its entry from being reclaimed by another worker.
func (w *Worker) runJob(ctx context.Context, m queue.Message, job store.Job) ([]byte, error) {
	stop := w.heartbeat(ctx, m.ID)
	defer stop()
	in := jobs.Input{Payload: job.Payload}
	if jobs.NeedsDependencies(job.Kind) {
		deps, err := w.Store.DependencyOutputs(ctx, job.DependsOn)
		if err != nil {
			return nil, err
		}
		in.Dependencies = deps
	}
	return w.Runner.Run(ctx, job.Kind, in)
}

// heartbeat touches the entry at a third of the idle time until stop is called.
func (w *Worker) heartbeat(ctx context.Context, id string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(w.ClaimIdle / 3)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				if err := w.Queue.Touch(ctx, id); err != nil && ctx.Err() == nil {
					w.Log.Warn("heartbeat failed", "stream_id", id, "error", err.Error())
				}
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// failAttempt records a failed run: retried later while attempts remain, else dead-lettered.
func (w *Worker) failAttempt(ctx context.Context, log *slog.Logger, m queue.Message, job store.Job, runErr error) {
	if ctx.Err() != nil {
		// Interrupted by shutdown: not the job's fault, and not acknowledged, so it is reclaimed.
		release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := w.Store.Release(release, job.ID, "interrupted by worker shutdown"); err != nil {
			log.Error("cannot release interrupted job", "error", err.Error())
		}
		log.Warn("job interrupted by shutdown; left for another worker")
		return
	}
	if m.Deliveries >= int64(w.MaxAttempts) {
		w.giveUp(ctx, log, m, runErr.Error())
		return
	}
	if err := w.Store.Release(ctx, job.ID, runErr.Error()); err != nil {
		log.Error("cannot record failed attempt", "error", err.Error())
	}
	log.Warn("job failed; it will be retried after the claim idle time", "error", runErr.Error(),
		"retry_after_seconds", w.ClaimIdle.Seconds())
}

// giveUp fails the job and its task for good and dead-letters the entry, unless the job turns
// out to be done already (then the entry is only acknowledged).
func (w *Worker) giveUp(ctx context.Context, log *slog.Logger, m queue.Message, reason string) {
	failed, err := w.Store.Fail(ctx, m.JobID, reason)
	switch {
	case errors.Is(err, store.ErrJobNotFound):
	case err != nil:
		log.Error("cannot mark job failed; the entry will be delivered again", "error", err.Error())
		return
	case !failed:
		job := store.Job{ID: m.JobID, TaskID: m.TaskID, Status: "done"}
		w.acknowledgeFinished(ctx, log, m, job)
		return
	}
	w.deadLetter(ctx, log, m, reason)
}

func (w *Worker) deadLetter(ctx context.Context, log *slog.Logger, m queue.Message, reason string) {
	if err := w.Queue.DeadLetter(ctx, m, reason); err != nil {
		log.Error("cannot dead-letter entry; it will be delivered again", "error", err.Error())
		return
	}
	log.Error("job dead-lettered", "reason", reason)
}

// acknowledgeFinished handles a redelivered job that already ended: it is not run again; if it
// is done, its queued dependents are announced again in case the worker that finished it died
// before doing so.
func (w *Worker) acknowledgeFinished(ctx context.Context, log *slog.Logger, m queue.Message, job store.Job) {
	if job.Status == "done" {
		queued, err := w.Store.QueuedDependents(ctx, job)
		if err == nil {
			err = w.Queue.Publish(ctx, toEntries(queued))
		}
		if err != nil {
			log.Error("cannot re-announce dependents; the entry will be delivered again", "error", err.Error())
			return
		}
	}
	if err := w.Queue.Ack(ctx, m.ID); err != nil {
		log.Error("cannot acknowledge finished job", "error", err.Error())
		return
	}
	log.Info("job already finished; acknowledged without running", "status", job.Status)
}

func toEntries(queued []store.Queued) []queue.Entry {
	entries := make([]queue.Entry, len(queued))
	for i, q := range queued {
		entries[i] = queue.Entry{JobID: q.JobID, TaskID: q.TaskID, Kind: q.Kind}
	}
	return entries
}

// sleepCtx waits d or until ctx ends; it reports whether the full wait happened.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
