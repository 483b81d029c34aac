package worker_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubemap/stack/worker/internal/jobs"
	"github.com/kubemap/stack/worker/internal/queue"
	"github.com/kubemap/stack/worker/internal/store"
	"github.com/kubemap/stack/worker/internal/testenv"
	"github.com/kubemap/stack/worker/internal/worker"
)

var ctx = context.Background()

type settings struct {
	name        string
	concurrency int
	maxAttempts int
	claimIdle   time.Duration
	grace       time.Duration
	chatURL     string
}

// running is a Worker.Run in a goroutine; stop sends it the shutdown signal and waits.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error // what Run returned; read after done is closed
	log    *testLogWriter
}

func (r *running) stop(t *testing.T, within time.Duration) {
	t.Helper()
	r.cancel()
	r.wait(t, within)
}

func (r *running) wait(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(within):
		t.Fatalf("worker did not stop within %s", within)
	}
}

// testLogWriter passes the worker's log to the test's and keeps it, so a test can wait for a line.
type testLogWriter struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	line := strings.TrimSpace(string(p))
	w.t.Log(line)
	w.lines = append(w.lines, line)
	return len(p), nil
}

func (w *testLogWriter) has(fragment string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.lines {
		if strings.Contains(l, fragment) {
			return true
		}
	}
	return false
}

// newWorker makes a worker for this test's stream and database with New; unset settings get
// test defaults.
func newWorker(t *testing.T, env *testenv.Env, s settings) (*worker.Worker, *testLogWriter) {
	t.Helper()
	if s.name == "" {
		s.name = "w1"
	}
	if s.concurrency == 0 {
		s.concurrency = 2
	}
	if s.maxAttempts == 0 {
		s.maxAttempts = 3
	}
	if s.claimIdle == 0 {
		s.claimIdle = 30 * time.Second
	}
	if s.grace == 0 {
		s.grace = 5 * time.Second
	}
	logs := &testLogWriter{t: t}
	w, err := worker.New(worker.Config{
		Queue: queue.New(env.Redis, queue.Options{
			Stream: env.Stream, Group: env.Group, Consumer: s.name, DeadStream: env.DeadStream,
			Block: 100 * time.Millisecond, ClaimIdle: s.claimIdle,
		}),
		Store:         store.New(env.Pool),
		Runner:        jobs.Runner{Chat: jobs.NewChatClient(s.chatURL)},
		Log:           slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Name:          s.name,
		Concurrency:   s.concurrency,
		MaxAttempts:   s.maxAttempts,
		ClaimIdle:     s.claimIdle,
		ShutdownGrace: s.grace,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return w, logs
}

// start runs a worker until the test ends; Run must return nil unless the test expects otherwise
// (failing).
func start(t *testing.T, env *testenv.Env, s settings) *running {
	return startRun(t, env, s, false)
}

func startRun(t *testing.T, env *testenv.Env, s settings, failing bool) *running {
	t.Helper()
	w, logs := newWorker(t, env, s)
	runCtx, cancel := context.WithCancel(ctx)
	r := &running{cancel: cancel, done: make(chan struct{}), log: logs}
	go func() {
		defer close(r.done)
		r.err = w.Run(runCtx)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
		if r.err != nil && !failing {
			t.Errorf("Run: %v", r.err)
		}
	})
	return r
}

func taskStatus(t *testing.T, env *testenv.Env, taskID string) string {
	return env.Str(t, `SELECT status FROM tasks WHERE id = $1`, taskID)
}

func waitTask(t *testing.T, env *testenv.Env, taskID, status string, timeout time.Duration) {
	t.Helper()
	testenv.Eventually(t, timeout, "task "+status, func() bool { return taskStatus(t, env, taskID) == status })
}

// sameJSON compares a stored output with the expected JSON the way PostgreSQL compares jsonb.
func sameJSON(t *testing.T, env *testenv.Env, jobID, want string) {
	t.Helper()
	got := env.Str(t, `SELECT output::text FROM results WHERE job_id = $1`, jobID)
	if env.Int(t, `SELECT count(*) FROM results WHERE job_id = $1 AND output = $2::jsonb`, jobID, want) != 1 {
		t.Errorf("job %s output %s, want %s", jobID, got, want)
	}
}

func TestEveryKindThroughTheQueue(t *testing.T) {
	env := testenv.New(t)
	// A local HTTP server standing in for the chat service (built by another part of the stack).
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Role, Content string } `json:"messages"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"conversation_id": "c",
			"message": map[string]string{"role": "assistant", "content": "echo: " + req.Messages[0].Content}, "provider": "local"})
	}))
	defer chat.Close()
	story := "Go is fast. Redis streams are reliable. Redis streams and Go workers process jobs. The weather is nice."
	specs := []struct {
		spec testenv.JobSpec
		want string
	}{
		{testenv.JobSpec{Kind: "wordcount", Payload: `{"text":"one two\nthree"}`}, `{"words":3,"lines":2,"chars":13}`},
		{testenv.JobSpec{Kind: "summarize", Payload: `{"text":"` + story + `","sentences":1}`}, `{"summary":"Redis streams and Go workers process jobs."}`},
		{testenv.JobSpec{Kind: "keywords", Payload: `{"text":"` + story + `","top":3}`}, `{"keywords":["go","redis","streams"]}`},
		{testenv.JobSpec{Kind: "sha256", Payload: `{"text":"abc"}`}, `{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}`},
		{testenv.JobSpec{Kind: "llm", Payload: `{"prompt":"hello"}`}, `{"text":"echo: hello"}`},
		{testenv.JobSpec{Kind: "sleep", Payload: `{"seconds":0.05}`}, `{"slept":0.05}`},
		{testenv.JobSpec{Kind: "aggregate", DependsOn: []int{0, 1, 2}}, `{"words":3,"summary":"Redis streams and Go workers process jobs.","keywords":["go","redis","streams"],"parts":3}`},
	}
	all := make([]testenv.JobSpec, len(specs))
	for i, s := range specs {
		all[i] = s.spec
	}
	taskID, ids := env.InsertTask(t, all...)
	start(t, env, settings{chatURL: chat.URL})
	waitTask(t, env, taskID, "done", testenv.Patience)
	for i, s := range specs {
		sameJSON(t, env, ids[i], s.want)
	}
	if n := env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND status = 'done' AND attempts = 1 AND worker = 'w1'`, taskID); n != len(specs) {
		t.Fatalf("%d of %d jobs done once by w1", n, len(specs))
	}
	testenv.Eventually(t, testenv.Patience, "every entry acknowledged", func() bool { return env.Pending(t) == 0 })
}

func TestAggregateRunsAfterItsDependencies(t *testing.T) {
	env := testenv.New(t)
	chunks := []string{"Alpha beta. Gamma alpha.", "Delta alpha! Beta beta beta."}
	var specs []testenv.JobSpec
	for _, c := range chunks { // the orchestrator's rules plan: three jobs per chunk, then aggregate
		specs = append(specs,
			testenv.JobSpec{Kind: "wordcount", Payload: `{"text":"` + c + `"}`},
			testenv.JobSpec{Kind: "summarize", Payload: `{"text":"` + c + `","sentences":1}`},
			testenv.JobSpec{Kind: "keywords", Payload: `{"text":"` + c + `","top":2}`})
	}
	specs = append(specs, testenv.JobSpec{Kind: "aggregate", DependsOn: []int{0, 1, 2, 3, 4, 5}})
	taskID, ids := env.InsertTask(t, specs...)
	// Two workers, so dependencies finish concurrently.
	start(t, env, settings{name: "w1"})
	start(t, env, settings{name: "w2"})
	waitTask(t, env, taskID, "done", testenv.Patience)
	// Chunk 1 (4 words): alpha 2, beta 1, gamma 1 → both sentences score 1.5, the first wins;
	// keywords alpha, beta. Chunk 2 (5 words): beta 3 → "Beta beta beta." wins; keywords beta,
	// alpha. Merged (Borda): alpha 2+1, beta 1+2 → tie, alphabetical.
	sameJSON(t, env, ids[6], `{"words":9,"summary":"Alpha beta. Beta beta beta.","keywords":["alpha","beta"],"parts":6}`)
	if n := env.Int(t, `
		SELECT count(*) FROM jobs a, jobs d
		WHERE a.id = $1 AND d.id = ANY (a.depends_on) AND d.finished_at <= a.started_at`, ids[6]); n != 6 {
		t.Fatalf("aggregate started before %d of its 6 dependencies finished", 6-n)
	}
	if got := env.Str(t, `SELECT (started_at <= finished_at)::text FROM tasks WHERE id = $1`, taskID); got != "true" {
		t.Fatalf("task timings: %s", got)
	}
}

func TestRedeliveryOfDoneJobDoesNotRunItAgain(t *testing.T) {
	env := testenv.New(t)
	taskID, ids := env.InsertTask(t, testenv.JobSpec{Kind: "wordcount", Payload: `{"text":"a b c"}`})
	r := start(t, env, settings{})
	waitTask(t, env, taskID, "done", testenv.Patience)
	// The same entry again, as after a worker died between commit and XACK.
	q := queue.New(env.Redis, queue.Options{Stream: env.Stream})
	if err := q.Publish(ctx, []queue.Entry{{JobID: ids[0], TaskID: taskID, Kind: "wordcount"}}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, testenv.Patience, "the duplicate entry is read and acknowledged", func() bool {
		info, err := env.Redis.XInfoGroups(ctx, env.Stream).Result()
		return err == nil && len(info) == 1 && info[0].EntriesRead == 2 && info[0].Pending == 0
	})
	r.stop(t, testenv.Patience)
	if n := env.Int(t, `SELECT count(*) FROM results WHERE job_id = $1`, ids[0]); n != 1 {
		t.Fatalf("%d results", n)
	}
	if n := env.Int(t, `SELECT attempts FROM jobs WHERE id = $1`, ids[0]); n != 1 {
		t.Fatalf("job ran %d times", n)
	}
}

// A worker that committed a result but died before announcing the jobs it released: the job is
// done, its dependent is queued in the database but not on the stream. The redelivery announces it.
func TestRedeliveryAnnouncesDependentsLostInACrash(t *testing.T) {
	env := testenv.New(t)
	taskID, ids := env.InsertTask(t,
		testenv.JobSpec{Kind: "wordcount", Payload: `{"text":"a b"}`},
		testenv.JobSpec{Kind: "aggregate", DependsOn: []int{0}})
	s := store.New(env.Pool)
	job, err := s.Start(ctx, ids[0], "crashed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Complete(ctx, job, json.RawMessage(`{"words":2,"lines":1,"chars":3}`)); err != nil {
		t.Fatal(err)
	}
	start(t, env, settings{})
	waitTask(t, env, taskID, "done", testenv.Patience)
	sameJSON(t, env, ids[1], `{"words":2,"summary":"","keywords":[],"parts":1}`)
	if n := env.Int(t, `SELECT attempts FROM jobs WHERE id = $1`, ids[0]); n != 1 {
		t.Fatalf("the done job ran again (%d attempts)", n)
	}
}

func TestJobOfDeadConsumerIsReclaimed(t *testing.T) {
	env := testenv.New(t)
	taskID, ids := env.InsertTask(t, testenv.JobSpec{Kind: "sha256", Payload: `{"text":""}`})
	// A consumer takes the entry and dies without acknowledging it.
	dead := queue.New(env.Redis, queue.Options{Stream: env.Stream, Group: env.Group, Consumer: "dead", Block: time.Millisecond})
	if err := dead.EnsureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs, err := dead.Read(ctx, 1); err != nil || len(msgs) != 1 {
		t.Fatalf("dead consumer read %v %+v", err, msgs)
	}
	begin := time.Now()
	start(t, env, settings{name: "rescuer", claimIdle: 500 * time.Millisecond})
	waitTask(t, env, taskID, "done", testenv.Patience)
	if waited := time.Since(begin); waited < 400*time.Millisecond {
		t.Fatalf("reclaimed after %s, before the idle time", waited)
	}
	if got := env.Str(t, `SELECT worker FROM jobs WHERE id = $1`, ids[0]); got != "rescuer" {
		t.Fatalf("job done by %q", got)
	}
	// The worker acknowledges after its commit: "done" in PostgreSQL comes first.
	testenv.Eventually(t, testenv.Patience, "the reclaimed entry acknowledged", func() bool { return env.Pending(t) == 0 })
}

func TestFailingJobIsDeadLetteredAfterMaxAttempts(t *testing.T) {
	env := testenv.New(t)
	taskID, ids := env.InsertTask(t,
		testenv.JobSpec{Kind: "translate", Payload: `{}`},
		testenv.JobSpec{Kind: "aggregate", DependsOn: []int{0}})
	start(t, env, settings{maxAttempts: 3, claimIdle: 200 * time.Millisecond})
	waitTask(t, env, taskID, "failed", testenv.Patience)
	got := env.Str(t, `SELECT status || ' ' || attempts || ' ' || error FROM jobs WHERE id = $1`, ids[0])
	if got != `failed 3 translate job: unknown job kind "translate"` && got != `failed 3 unknown job kind "translate"` {
		t.Fatalf("job: %s", got)
	}
	if st := env.Str(t, `SELECT status FROM jobs WHERE id = $1`, ids[1]); st != "failed" {
		t.Fatalf("dependent %s", st)
	}
	// The dead-letter XADD and XACK follow the commit that marks the task failed.
	testenv.Eventually(t, testenv.Patience, "the entry dead-lettered and acknowledged", func() bool {
		n, err := env.Redis.XLen(ctx, env.DeadStream).Result()
		return err == nil && n >= 1 && env.Pending(t) == 0
	})
	dead, err := env.Redis.XRange(ctx, env.DeadStream, "-", "+").Result()
	if err != nil || len(dead) != 1 || dead[0].Values["job_id"] != ids[0] || dead[0].Values["deliveries"] != "3" {
		t.Fatalf("dead stream %v %+v", err, dead)
	}
	if n := env.Int(t, `SELECT count(*) FROM results WHERE task_id = $1`, taskID); n != 0 {
		t.Fatalf("%d results for a failed task", n)
	}
}

func TestShutdownFinishesJobsInHand(t *testing.T) {
	env := testenv.New(t)
	taskID, ids := env.InsertTask(t, testenv.JobSpec{Kind: "sleep", Payload: `{"seconds":2}`})
	r := start(t, env, settings{grace: time.Minute})
	testenv.Eventually(t, testenv.Patience, "job running", func() bool {
		return env.Str(t, `SELECT status FROM jobs WHERE id = $1`, ids[0]) == "running"
	})
	r.cancel() // the shutdown signal; the job in hand keeps running
	// A read already waiting on Redis when the signal came may still deliver entries, which the
	// worker then finishes; once it logs this line it has stopped reading.
	testenv.Eventually(t, testenv.Patience, "the worker stopped reading", func() bool {
		return r.log.has(`"msg":"shutting down: no new jobs"`)
	})
	// Published after that, while the worker still finishes its job: it must not be taken.
	later, laterIDs := env.InsertTask(t, testenv.JobSpec{Kind: "sleep", Payload: `{"seconds":0}`})
	// Run returns only after the jobs in hand are finished and acknowledged.
	r.stop(t, testenv.Patience)
	if st := taskStatus(t, env, taskID); st != "done" {
		t.Fatalf("task %s after a graceful stop", st)
	}
	if env.Pending(t) != 0 {
		t.Fatal("finished job not acknowledged, or a job read after the signal")
	}
	if st := env.Str(t, `SELECT status || ' ' || attempts FROM jobs WHERE id = $1`, laterIDs[0]); st != "queued 0" || taskStatus(t, env, later) != "pending" {
		t.Fatalf("a stopping worker took a job published after the signal (job %s)", st)
	}
}

func TestShutdownLeavesUnfinishedJobForAnotherWorker(t *testing.T) {
	env := testenv.New(t)
	taskID, ids := env.InsertTask(t, testenv.JobSpec{Kind: "sleep", Payload: `{"seconds":30}`})
	r := start(t, env, settings{grace: 300 * time.Millisecond})
	testenv.Eventually(t, testenv.Patience, "job running", func() bool {
		return env.Str(t, `SELECT status FROM jobs WHERE id = $1`, ids[0]) == "running"
	})
	began := time.Now()
	r.stop(t, testenv.Patience)
	if d := time.Since(began); d < 250*time.Millisecond {
		t.Fatalf("stopped after %s, before the grace period", d)
	}
	if got := env.Str(t, `SELECT status || ' ' || error FROM jobs WHERE id = $1`, ids[0]); got != "queued interrupted by worker shutdown" {
		t.Fatalf("job: %s", got)
	}
	if env.Pending(t) != 1 {
		t.Fatal("the interrupted job's entry must stay pending so it is reclaimed")
	}
	if n := env.Int(t, `SELECT count(*) FROM results WHERE task_id = $1`, taskID); n != 0 {
		t.Fatalf("%d results", n)
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	env := testenv.New(t)
	var specs []testenv.JobSpec
	for range 6 {
		specs = append(specs, testenv.JobSpec{Kind: "sleep", Payload: `{"seconds":0.3}`})
	}
	taskID, _ := env.InsertTask(t, specs...)
	start(t, env, settings{concurrency: 3})
	waitTask(t, env, taskID, "done", testenv.Patience)
	// The most jobs whose [started_at, finished_at] intervals overlap one job's start.
	peak := env.Int(t, `
		SELECT max(n)::int FROM (
			SELECT (SELECT count(*) FROM jobs b WHERE b.task_id = a.task_id
			        AND b.started_at <= a.started_at AND b.finished_at > a.started_at) AS n
			FROM jobs a WHERE a.task_id = $1) s`, taskID)
	// At most 3 at once is the property; how many did overlap depends on the machine's load.
	if peak < 1 || peak > 3 {
		t.Fatalf("peak concurrency %d, want at most 3", peak)
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	valid := func() worker.Config {
		return worker.Config{
			Queue: queue.New(nil, queue.Options{}), Store: store.New(nil), Name: "w1",
			Concurrency: 1, MaxAttempts: 1, ClaimIdle: worker.MinClaimIdle, ShutdownGrace: 0,
		}
	}
	if _, err := worker.New(valid()); err != nil {
		t.Fatalf("the smallest valid settings (no Log, no grace) are refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(*worker.Config)
		want   string
	}{
		// Concurrency 0 would wait forever for a free slot; ClaimIdle 0 would panic in the heartbeat's ticker.
		{"no concurrency", func(c *worker.Config) { c.Concurrency = 0 }, "Concurrency is 0; it must be at least 1"},
		{"no claim idle", func(c *worker.Config) { c.ClaimIdle = 0 }, "ClaimIdle is 0s; it must be at least 10ms"},
		{"claim idle too short for a heartbeat", func(c *worker.Config) { c.ClaimIdle = 2 * time.Nanosecond }, "ClaimIdle is 2ns"},
		{"no attempts", func(c *worker.Config) { c.MaxAttempts = 0 }, "MaxAttempts is 0"},
		{"negative grace", func(c *worker.Config) { c.ShutdownGrace = -time.Second }, "ShutdownGrace is -1s"},
		{"no name", func(c *worker.Config) { c.Name = "" }, "Name (the consumer name) is required"},
		{"no queue", func(c *worker.Config) { c.Queue = nil }, "Queue is required"},
		{"no store", func(c *worker.Config) { c.Store = nil }, "Store is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.change(&cfg)
			w, err := worker.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || w != nil {
				t.Fatalf("New = %v, %v; want an error saying %q", w, err, tt.want)
			}
		})
	}
	cfg := valid()
	cfg.Concurrency, cfg.ClaimIdle, cfg.Name = 0, 0, ""
	_, err := worker.New(cfg)
	for _, want := range []string{"Concurrency", "ClaimIdle", "Name"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New names every problem at once; %q missing from %v", want, err)
		}
	}
}

// A stream name that holds another kind of key is a configuration mistake no retry fixes: Run
// returns it (main exits 1) instead of retrying for ever.
func TestRunFailsWhenRedisRefusesTheQueue(t *testing.T) {
	env := testenv.New(t)
	if err := env.Redis.Set(ctx, env.Stream, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	w, logs := newWorker(t, env, settings{})
	runCtx, cancel := context.WithTimeout(ctx, testenv.Patience)
	defer cancel()
	err := w.Run(runCtx)
	if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("Run = %v, want the WRONGTYPE refusal", err)
	}
	if runCtx.Err() != nil {
		t.Fatal("Run returned only when its context ended")
	}
	if logs.has(`"msg":"worker started"`) {
		t.Fatal("the worker started reading on a stream it cannot use")
	}
}

func TestRunStopsWithAnErrorWhenTheStreamIsReplacedMidRun(t *testing.T) {
	env := testenv.New(t)
	r := startRun(t, env, settings{}, true)
	testenv.Eventually(t, testenv.Patience, "worker started", func() bool { return r.log.has(`"msg":"worker started"`) })
	if err := env.Redis.Set(ctx, env.Stream, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	r.wait(t, testenv.Patience)
	if r.err == nil || !strings.Contains(r.err.Error(), "WRONGTYPE") {
		t.Fatalf("Run = %v, want the WRONGTYPE refusal", r.err)
	}
	if !r.log.has(`"msg":"shutting down: no new jobs"`) {
		t.Fatal("the worker did not go through its shutdown (jobs in hand get the grace period)")
	}
}

// Redis restarted without its data (or someone deleted the group): reads fail with NOGROUP until
// the group exists again. The worker makes it and goes on.
func TestRunRecreatesAMissingGroup(t *testing.T) {
	env := testenv.New(t)
	r := start(t, env, settings{})
	testenv.Eventually(t, testenv.Patience, "worker started", func() bool { return r.log.has(`"msg":"worker started"`) })
	if err := env.Redis.Del(ctx, env.Stream).Err(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, testenv.Patience, "the worker notices the missing group", func() bool {
		return r.log.has(`"msg":"consumer group missing`)
	})
	taskID, _ := env.InsertTask(t, testenv.JobSpec{Kind: "sha256", Payload: `{"text":"abc"}`})
	waitTask(t, env, taskID, "done", testenv.Patience)
}
