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

// Config is what a worker is made of: its parts and its settings. New checks it.
type Config struct {
	Queue  *queue.Queue
	Store  *store.Store
	Runner jobs.Runner
	Log    *slog.Logger // nil discards the log
	// Name is this consumer's name in the group (unique per replica).
	Name string
	// Concurrency is how many jobs run at once (at least 1).
	Concurrency int
	// MaxAttempts is how many deliveries a job gets before it fails for good (at least 1).
	MaxAttempts int
	// ClaimIdle is how long an unacknowledged entry stays idle before it is reclaimed; running
	// jobs are heartbeaten every third of it (at least MinClaimIdle).
	ClaimIdle time.Duration
	// ShutdownGrace is how long jobs in hand may finish after the shutdown signal (0: none).
	ShutdownGrace time.Duration
}

// MinClaimIdle is the shortest ClaimIdle New accepts: a heartbeat every third of it must still
// be a real interval.
const MinClaimIdle = 10 * time.Millisecond

// Worker runs jobs from the queue; make it with New.
type Worker struct {
	cfg Config
	log *slog.Logger
}

// New checks the configuration, naming every problem at once, and returns a worker ready to Run.
func New(cfg Config) (*Worker, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if cfg.Queue == nil {
		bad("worker: Queue is required")
	}
	if cfg.Store == nil {
		bad("worker: Store is required")
	}
	if cfg.Name == "" {
		bad("worker: Name (the consumer name) is required")
	}
	if cfg.Concurrency < 1 {
		bad("worker: Concurrency is %d; it must be at least 1", cfg.Concurrency)
	}
	if cfg.MaxAttempts < 1 {
		bad("worker: MaxAttempts is %d; it must be at least 1", cfg.MaxAttempts)
	}
	if cfg.ClaimIdle < MinClaimIdle {
		bad("worker: ClaimIdle is %s; it must be at least %s", cfg.ClaimIdle, MinClaimIdle)
	}
	if cfg.ShutdownGrace < 0 {
		bad("worker: ShutdownGrace is %s; it must not be negative", cfg.ShutdownGrace)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg, log: log}, nil
}

// retryPause is how long the loop waits after Redis or PostgreSQL failed, before trying again.
const retryPause = time.Second

// Run processes jobs until ctx ends. Then it stops reading, gives the jobs in hand
// ShutdownGrace to finish, and interrupts the rest; their entries stay unacknowledged, so another
// worker reclaims them after the idle time. It returns nil after such a shutdown, and an error
// when Redis refuses the queue for a reason retrying will not fix (queue.Refused); then too it
// first lets the jobs in hand finish. Unreachable servers are waited for, not errors.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.ensureGroup(ctx); err != nil {
		return err
	}
	w.log.Info("worker started", "consumer", w.cfg.Name, "concurrency", w.cfg.Concurrency)

	// Jobs outlive ctx (the shutdown signal) by up to the grace period.
	jobCtx, interruptJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer interruptJobs()
	var inFlight sync.WaitGroup
	slots := make(chan struct{}, w.cfg.Concurrency)
	claimEvery := min(w.cfg.ClaimIdle/2, 5*time.Second)
	var lastClaim time.Time
	var fatal error

	for ctx.Err() == nil && fatal == nil {
		free, ok := w.acquireSlots(ctx, slots)
		if !ok {
			break
		}
		var msgs []queue.Message
		var err error
		if time.Since(lastClaim) >= claimEvery {
			lastClaim = time.Now()
			msgs, err = w.cfg.Queue.Claim(ctx, free)
		}
		if err == nil && len(msgs) == 0 {
			msgs, err = w.cfg.Queue.Read(ctx, free)
		}
		for range free - len(msgs) {
			<-slots
		}
		switch {
		case err == nil:
		case ctx.Err() != nil:
			continue
		case queue.Refused(err):
			fatal = fmt.Errorf("the job queue cannot be used: %w", err)
			w.log.Error("queue refused; stopping", "error", err.Error())
			continue
		case queue.GroupMissing(err):
			w.log.Warn("consumer group missing (stream deleted or Redis lost its data); creating it again",
				"error", err.Error())
			fatal = w.ensureGroup(ctx)
			continue
		default:
			w.log.Error("queue read failed; retrying", "error", err.Error())
			sleepCtx(ctx, retryPause)
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

	w.log.Info("shutting down: no new jobs", "grace_seconds", w.cfg.ShutdownGrace.Seconds())
	done := make(chan struct{})
	go func() { inFlight.Wait(); close(done) }()
	select {
	case <-done:
		w.log.Info("all jobs in hand finished")
	case <-time.After(w.cfg.ShutdownGrace):
		w.log.Warn("grace period over: interrupting jobs in hand; they will be reclaimed")
		interruptJobs()
		<-done
	}
	return fatal
}

// ensureGroup makes the stream's consumer group, waiting while Redis is unreachable. It fails
// only when Redis refuses (queue.Refused); a shutdown while waiting is not an error.
func (w *Worker) ensureGroup(ctx context.Context) error {
	for {
		err := w.cfg.Queue.EnsureGroup(ctx)
		switch {
		case err == nil:
			return nil
		case queue.Refused(err):
			return fmt.Errorf("the job queue cannot be used: %w", err)
		}
		w.log.Error("queue not ready; retrying", "error", err.Error())
		if !sleepCtx(ctx, retryPause) {
			return nil
		}
	}
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
	log := w.log.With("stream_id", m.ID, "job_id", m.JobID, "task_id", m.TaskID, "kind", m.Kind,
		"delivery", m.Deliveries)
	if m.JobID == "" {
		w.deadLetter(ctx, log, m, "stream entry has no job_id")
		return
	}
	if m.Deliveries > int64(w.cfg.MaxAttempts) {
		// Its last holder died (or failed to record the outcome) on the final attempt.
		w.giveUp(ctx, log, m, fmt.Sprintf("delivered %d times without finishing (JOB_MAX_ATTEMPTS=%d)",
			m.Deliveries, w.cfg.MaxAttempts))
		return
	}
	job, err := w.cfg.Store.Start(ctx, m.JobID, w.cfg.Name)
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
	queued, err := w.cfg.Store.Complete(ctx, job, output)
	if err != nil {
		log.Error("cannot store result; it will be delivered again", "error", err.Error())
		return
	}
	if err := w.cfg.Queue.Publish(ctx, toEntries(queued)); err != nil {
		// Unacknowledged, the entry comes back; the job is then done and its queued
		// dependents are announced again (acknowledgeFinished).
		log.Error("cannot queue released jobs; the entry will be delivered again", "error", err.Error())
		return
	}
	if err := w.cfg.Queue.Ack(ctx, m.ID); err != nil {
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
		deps, err := w.cfg.Store.DependencyOutputs(ctx, job.DependsOn)
		if err != nil {
			return nil, err
		}
		in.Dependencies = deps
	}
	return w.cfg.Runner.Run(ctx, job.Kind, in)
}

// heartbeat touches the entry at a third of the idle time until stop is called.
func (w *Worker) heartbeat(ctx context.Context, id string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(w.cfg.ClaimIdle / 3)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				if err := w.cfg.Queue.Touch(ctx, id); err != nil && ctx.Err() == nil {
					w.log.Warn("heartbeat failed", "stream_id", id, "error", err.Error())
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
		if err := w.cfg.Store.Release(release, job.ID, "interrupted by worker shutdown"); err != nil {
			log.Error("cannot release interrupted job", "error", err.Error())
		}
		log.Warn("job interrupted by shutdown; left for another worker")
		return
	}
	if m.Deliveries >= int64(w.cfg.MaxAttempts) {
		w.giveUp(ctx, log, m, runErr.Error())
		return
	}
	if err := w.cfg.Store.Release(ctx, job.ID, runErr.Error()); err != nil {
		log.Error("cannot record failed attempt", "error", err.Error())
	}
	log.Warn("job failed; it will be retried after the claim idle time", "error", runErr.Error(),
		"retry_after_seconds", w.cfg.ClaimIdle.Seconds())
}

// giveUp fails the job and its task for good and dead-letters the entry, unless the job turns
// out to be done already (then the entry is only acknowledged).
func (w *Worker) giveUp(ctx context.Context, log *slog.Logger, m queue.Message, reason string) {
	failed, err := w.cfg.Store.Fail(ctx, m.JobID, reason)
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
	if err := w.cfg.Queue.DeadLetter(ctx, m, reason); err != nil {
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
		queued, err := w.cfg.Store.QueuedDependents(ctx, job)
		if err == nil {
			err = w.cfg.Queue.Publish(ctx, toEntries(queued))
		}
		if err != nil {
			log.Error("cannot re-announce dependents; the entry will be delivered again", "error", err.Error())
			return
		}
	}
	if err := w.cfg.Queue.Ack(ctx, m.ID); err != nil {
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
