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
		extraEnv   []string
		extraArgs  []string
		wantCode   int
		wantStderr string
	}{
		{"both answer", nil, nil, 0, ""},
		{"redis down", []string{"REDIS_URL=redis://127.0.0.1:1/0"}, nil, 1, "redis:"},
		{"postgres down", []string{"POSTGRES_PORT=1"}, nil, 1, "postgres:"},
		// Docker reserves exit code 2 for health checks: whatever is wrong is unhealthy (1).
		{"bad configuration", []string{"JOB_MAX_ATTEMPTS=-1"}, nil, 1, "bad configuration:\nenvironment variable JOB_MAX_ATTEMPTS"},
		{"bad Redis URL", []string{"REDIS_URL=http://nowhere"}, nil, 1, "bad configuration: REDIS_URL="},
		{"extra argument", nil, []string{"now"}, 1, "usage: worker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startWorker(t, workerEnv(t, env, "hc", tt.extraEnv...), append([]string{"healthcheck"}, tt.extraArgs...)...)
			code := p.wait(t, testenv.Patience)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, p.stderr)
			}
			if !strings.Contains(p.stderr.String(), tt.wantStderr) || (tt.wantStderr == "" && p.stderr.Len() > 0) {
				t.Fatalf("stderr %q, want it to mention %q", p.stderr, tt.wantStderr)
			}
			if p.stdout.Len() > 0 {
				t.Fatalf("healthcheck wrote to stdout: %s", p.stdout)
			}
		})
	}
	p := startWorker(t, workerEnv(t, env, "hc"), "status")
	if code := p.wait(t, testenv.Patience); code != 2 || !strings.Contains(p.stderr.String(), "usage") {
		t.Fatalf("unknown subcommand: exit %d, stderr %s", code, p.stderr)
	}
}

func TestRunExitCodes(t *testing.T) {
	env := testenv.New(t)
	bad := startWorker(t, workerEnv(t, env, "w1", "WORKER_CONCURRENCY=0"))
	if code := bad.wait(t, testenv.Patience); code != 2 || !strings.Contains(bad.stderr.String(), "WORKER_CONCURRENCY") {
		t.Fatalf("bad configuration: exit %d, stderr %s", code, bad.stderr)
	}
	// JOBS_STREAM names a key that is not a stream: the worker cannot work, says why, exits 1.
	if err := env.Redis.Set(context.Background(), env.Stream, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	p := startWorker(t, workerEnv(t, env, "w1"))
	if code := p.wait(t, testenv.Patience); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, p.stderr)
	}
	if logs := p.stdout.String(); !strings.Contains(logs, `"msg":"worker stopped"`) || !strings.Contains(logs, "WRONGTYPE") {
		t.Fatalf("log does not say why the worker stopped:\n%s", logs)
	}
}

func TestSIGTERMFinishesTheJobInHandAndExits(t *testing.T) {
	env := testenv.New(t)
	taskID, ids := env.InsertTask(t, testenv.JobSpec{Kind: "sleep", Payload: `{"seconds":1}`})
	p := startWorker(t, workerEnv(t, env, "w1", "WORKER_SHUTDOWN_GRACE_SECONDS=10"))
	testenv.Eventually(t, testenv.Patience, "job running", func() bool {
		return env.Str(t, `SELECT status FROM jobs WHERE id = $1`, ids[0]) == "running"
	})
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, testenv.Patience); code != 0 {
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
	// Freeze the first worker mid-batch at a moment it holds entries it has not acknowledged
	// (SIGSTOP, so nothing changes between looking and killing), then kill it. Without held
	// entries the test would pass without exercising the reclaim.
	var held int64
	var running int
	testenv.Eventually(t, testenv.Patience, "first worker frozen mid-batch, holding entries", func() bool {
		if env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND status = 'done'`, taskID) < 6 {
			return false
		}
		if err := first.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		running = env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND status = 'running' AND worker = 'first'`, taskID)
		if held = env.PendingFor(t, "first"); held > 0 && running > 0 {
			return true
		}
		if err := first.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		return false
	})
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.wait(t, testenv.Patience)
	doneByFirst := env.Int(t, `SELECT count(*) FROM results WHERE task_id = $1`, taskID)
	if doneByFirst >= n {
		t.Fatalf("the first worker finished everything (%d) before it was killed", doneByFirst)
	}

	startWorker(t, workerEnv(t, env, "second", settings...))
	testenv.Eventually(t, testenv.Patience, "task done", func() bool {
		return env.Str(t, `SELECT status FROM tasks WHERE id = $1`, taskID) == "done"
	})
	if got := env.Int(t, `SELECT count(*) FROM results WHERE task_id = $1`, taskID); got != n {
		t.Fatalf("%d results, want %d", got, n)
	}
	if got := env.Int(t, `SELECT count(DISTINCT r.job_id) FROM results r JOIN jobs j ON j.id = r.job_id WHERE j.task_id = $1 AND j.status = 'done'`, taskID); got != n {
		t.Fatalf("%d distinct done jobs with results, want %d", got, n)
	}
	// The jobs the first worker had started when it died ran a second time, on the second worker.
	if got := env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND attempts = 2 AND worker = 'second'`, taskID); got < running {
		t.Fatalf("the killed worker was running %d jobs (holding %d entries), but only %d ran again on the second worker", running, held, got)
	}
	if got := env.Int(t, `SELECT count(*) FROM jobs WHERE task_id = $1 AND worker = 'first'`, taskID); got != doneByFirst {
		t.Fatalf("first worker is credited with %d jobs but finished %d", got, doneByFirst)
	}
	// Every entry is acknowledged in the end, the ones the killed worker held included.
	testenv.Eventually(t, testenv.Patience, "no pending entries", func() bool { return env.Pending(t) == 0 })
	if l, err := env.Redis.XLen(context.Background(), env.DeadStream).Result(); err != nil || l != 0 {
		t.Fatalf("dead-letter stream has %d entries (%v)", l, err)
	}
}
