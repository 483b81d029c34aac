package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubemap/stack/worker/internal/testenv"
)

// binary is the worker built once for these tests, run as a real process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "worker-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "worker")
	// The environment (CGO_ENABLED included) is inherited so the build shares go test's cache.
	build := exec.Command("go", "build", "-o", binary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the worker: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// workerEnv is the environment of a worker process for this test's database and streams.
func workerEnv(t *testing.T, env *testenv.Env, name string, extra ...string) []string {
	t.Helper()
	u, err := url.Parse(env.DSN)
	if err != nil {
		t.Fatal(err)
	}
	vars := []string{
		"PATH=" + os.Getenv("PATH"),
		"REDIS_URL=" + env.RedisURL,
		"POSTGRES_HOST=" + u.Hostname(), "POSTGRES_PORT=" + u.Port(),
		"POSTGRES_DB=" + strings.TrimPrefix(u.Path, "/"), "POSTGRES_USER=" + u.User.Username(),
		"JOBS_STREAM=" + env.Stream, "JOBS_GROUP=" + env.Group, "JOBS_DEAD_STREAM=" + env.DeadStream,
		"WORKER_NAME=" + name, "LOG_LEVEL=info",
	}
	return append(vars, extra...)
}

type process struct {
	cmd            *exec.Cmd
	stdout, stderr *bytes.Buffer // read only after wait
	exited         chan error
}

func startWorker(t *testing.T, environ []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(binary, args...), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	p.cmd.Env = environ
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *process) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("worker still running after %s", within)
		return -1
	}
}

func TestHealthcheckExitCodes(t *testing.T) {
	env := testenv.New(t)
	tests := []struct {
		name       string
		extra      []string
		wantCode   int
		wantStderr string
	}{
		{"both answer", nil, 0, ""},
		{"redis down", []string{"REDIS_URL=redis://127.0.0.1:1/0"}, 1, "redis:"},
		{"postgres down", []string{"POSTGRES_PORT=1"}, 1, "postgres:"},
		{"bad configuration", []string{"JOB_MAX_ATTEMPTS=-1"}, 2, "JOB_MAX_ATTEMPTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			began := time.Now()
			p := startWorker(t, workerEnv(t, env, "hc", tt.extra...), "healthcheck")
			code := p.wait(t, 10*time.Second)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, p.stderr)
			}
			if !strings.Contains(p.stderr.String(), tt.wantStderr) || (tt.wantStderr == "" && p.stderr.Len() > 0) {
				t.Fatalf("stderr %q, want it to mention %q", p.stderr, tt.wantStderr)
			}
			if p.stdout.Len() > 0 {
				t.Fatalf("healthcheck wrote to stdout: %s", p.stdout)
			}
			if d := time.Since(began); d > 5*time.Second {
				t.Fatalf("healthcheck took %s", d)
			}
		})
	}
	p := startWorker(t, workerEnv(t, env, "hc"), "status")
	if code := p.wait(t, 5*time.Second); code != 2 || !strings.Contains(p.stderr.String(), "usage") {
		t.Fatalf("unknown subcommand: exit %d, stderr %s", code, p.stderr)
	}
}

func TestSIGTERMFinishesTheJobInHandAndExits(t *testing.T) {
	env := testenv.New(t)
	taskID, ids := env.InsertTask(t, testenv.JobSpec{Kind: "sleep", Payload: `{"seconds":1}`})
	p := startWorker(t, workerEnv(t, env, "w1", "WORKER_SHUTDOWN_GRACE_SECONDS=10"))
	testenv.Eventually(t, 10*time.Second, "job running", func() bool {
		return env.Str(t, `SELECT status FROM jobs WHERE id = $1`, ids[0]) == "running"
	})
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 8*time.Second); code != 0 {
		t.Fatalf("exit %d; stderr %s", code, p.stderr)
	}
	if st := env.Str(t, `SELECT status FROM tasks WHERE id = $1`, taskID); st != "done" {
		t.Fatalf("task %s", st)
	}
	if env.Pending(t) != 0 {
		t.Fatal("job finished during the grace period but not acknowledged")
	}
	logs := p.stdout.String()
	for _, want := range []string{`"msg":"shutting down: no new jobs"`, `"msg":"all jobs in hand finished"`, `"msg":"job done"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	if p.stderr.Len() > 0 {
		t.Errorf("stderr: %s", p.stderr)
	}
}

// kill -9 a worker in the middle of a batch; a second worker reclaims what the first held, and
// every job ends in results exactly once.
func TestCrashMidBatchLosesAndDuplicatesNothing(t *testing.T) {
	env := testenv.New(t)
	const n = 30
	specs := make([]testenv.JobSpec, n)
	for i := range specs {
		specs[i] = testenv.JobSpec{Kind: "sleep", Payload: `{"seconds":0.15}`}
	}
	taskID, _ := env.InsertTask(t, specs...)
	settings := []string{"WORKER_CONCURRENCY=2", "JOB_CLAIM_IDLE_SECONDS=1"}
	first := startWorker(t, workerEnv(t, env, "first", settings...))
	testenv.Eventually(t, 10*time.Second, "first worker mid-batch", func() bool {
		return env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND status = 'done'`, taskID) >= 6 &&
			env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND status = 'running'`, taskID) >= 1
	})
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.wait(t, 5*time.Second)
	doneByFirst := env.Int(t, `SELECT count(*) FROM results WHERE task_id = $1`, taskID)
	if doneByFirst >= n {
		t.Fatalf("the first worker finished everything (%d) before it was killed", doneByFirst)
	}

	startWorker(t, workerEnv(t, env, "second", settings...))
	testenv.Eventually(t, 20*time.Second, "task done", func() bool {
		return env.Str(t, `SELECT status FROM tasks WHERE id = $1`, taskID) == "done"
	})
	if got := env.Int(t, `SELECT count(*) FROM results WHERE task_id = $1`, taskID); got != n {
		t.Fatalf("%d results, want %d", got, n)
	}
	if got := env.Int(t, `SELECT count(DISTINCT r.job_id) FROM results r JOIN jobs j ON j.id = r.job_id WHERE j.task_id = $1 AND j.status = 'done'`, taskID); got != n {
		t.Fatalf("%d distinct done jobs with results, want %d", got, n)
	}
	// The jobs the first worker held when it died were run again by the second.
	if got := env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND attempts = 2 AND worker = 'second'`, taskID); got < 1 {
		t.Fatal("no job was reclaimed from the killed worker")
	}
	if got := env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND worker = 'first'`, taskID); got != doneByFirst {
		t.Fatalf("first worker is credited with %d jobs but finished %d", got, doneByFirst)
	}
	testenv.Eventually(t, 3*time.Second, "no pending entries", func() bool { return env.Pending(t) == 0 })
	if l, err := env.Redis.XLen(context.Background(), env.DeadStream).Result(); err != nil || l != 0 {
		t.Fatalf("dead-letter stream has %d entries (%v)", l, err)
	}
}
