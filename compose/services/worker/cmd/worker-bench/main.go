// Command worker-bench measures jobs per second with 1 and then 2 worker processes on the same
// batch of sha256 and wordcount jobs, against the real test Redis and PostgreSQL, and prints the
// ratio (the stack's goal: 2 workers at least 1.6x one). Loopback only, bounded in jobs and time.
//
//	worker-bench -worker path/to/worker [-jobs 2000] [-concurrency 2] [-timeout 60s]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kubemap/stack/worker/internal/testenv"
)

type options struct {
	worker      string
	jobs        int
	perTask     int
	concurrency int
	textWords   int
	timeout     time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.worker, "worker", "", "path of the built worker binary (required)")
	flag.IntVar(&o.jobs, "jobs", 2000, "jobs per run (at most 20000)")
	flag.IntVar(&o.perTask, "per-task", 10, "jobs per task, as a planner would group them")
	flag.IntVar(&o.concurrency, "concurrency", 2, "WORKER_CONCURRENCY of each worker process")
	flag.IntVar(&o.textWords, "words", 300, "words of text in each job's payload")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "give up a run after this long")
	flag.Parse()
	if o.worker == "" || o.jobs < 1 || o.jobs > 20000 || o.perTask < 1 || o.concurrency < 1 || o.textWords < 1 {
		fmt.Fprintln(os.Stderr, "worker-bench: -worker is required; -jobs 1..20000; -per-task, -concurrency, -words >= 1")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "worker-bench: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	fmt.Printf("worker benchmark: %d jobs (sha256 and wordcount, %d words each), %d per task, WORKER_CONCURRENCY=%d\n",
		o.jobs, o.textWords, o.perTask, o.concurrency)
	var rates [2]float64
	for i, processes := range []int{1, 2} {
		elapsed, err := measure(o, processes)
		if err != nil {
			return fmt.Errorf("%d worker(s): %w", processes, err)
		}
		rates[i] = float64(o.jobs) / elapsed.Seconds()
		fmt.Printf("  %d worker process(es): %6.2f s  %8.1f jobs/s\n", processes, elapsed.Seconds(), rates[i])
	}
	ratio := rates[1] / rates[0]
	verdict := "goal met"
	if ratio < 1.6 {
		verdict = "goal NOT met"
	}
	fmt.Printf("  ratio 2 workers / 1 worker: %.2fx (goal >= 1.60x: %s)\n", ratio, verdict)
	return nil
}

// measure loads a fresh database and stream with the batch, starts the worker processes, and
// times them until every job has a result.
func measure(o options, processes int) (time.Duration, error) {
	ctx := context.Background()
	adminDSN, err := testenv.PostgresAdminDSN()
	if err != nil {
		return 0, err
	}
	redisURL, err := testenv.RedisURL()
	if err != nil {
		return 0, err
	}
	rdb, err := testenv.PingRedis(ctx, redisURL)
	if err != nil {
		return 0, err
	}
	defer rdb.Close()
	name := testenv.UniqueName("worker_bench")
	dsn, drop, err := testenv.CreateDatabase(ctx, adminDSN, name)
	if err != nil {
		return 0, err
	}
	defer drop()
	defer testenv.DeleteKeys(context.Background(), rdb, name+":")
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close(context.Background())

	stream := name + ":jobs"
	text := sampleText(o.textWords)
	for left := o.jobs; left > 0; left -= o.perTask {
		specs := make([]testenv.JobSpec, min(o.perTask, left))
		for i := range specs {
			specs[i] = testenv.JobSpec{Kind: []string{"sha256", "wordcount"}[i%2], Payload: fmt.Sprintf(`{"text":%q}`, text)}
		}
		if _, _, err := testenv.InsertTask(ctx, db, rdb, stream, specs); err != nil {
			return 0, err
		}
	}

	u, _ := url.Parse(dsn)
	began := time.Now()
	var procs []*exec.Cmd
	defer func() { stopAll(procs) }()
	for p := range processes {
		cmd := exec.Command(o.worker)
		cmd.Env = []string{
			"REDIS_URL=" + redisURL, "POSTGRES_HOST=" + u.Hostname(), "POSTGRES_PORT=" + u.Port(),
			"POSTGRES_DB=" + name, "POSTGRES_USER=" + u.User.Username(),
			"JOBS_STREAM=" + stream, "JOBS_DEAD_STREAM=" + name + ":dead",
			fmt.Sprintf("WORKER_NAME=bench-%d", p), fmt.Sprintf("WORKER_CONCURRENCY=%d", o.concurrency),
			"LOG_LEVEL=error",
		}
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		procs = append(procs, cmd)
	}
	deadline := began.Add(o.timeout)
	for {
		var done int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM results`).Scan(&done); err != nil {
			return 0, err
		}
		if done == o.jobs {
			return time.Since(began), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("only %d of %d jobs done after %s", done, o.jobs, o.timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stopAll ends the workers with SIGTERM, as a container runtime would.
func stopAll(procs []*exec.Cmd) {
	for _, cmd := range procs {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, cmd := range procs {
		if err := cmd.Wait(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			fmt.Fprintf(os.Stderr, "worker-bench: worker exited: %v\n", err)
		}
	}
}

// sampleText is deterministic filler prose of n words.
func sampleText(n int) string {
	words := strings.Fields("workers read jobs from a redis stream and write results to postgres in one transaction")
	out := make([]string, n)
	for i := range out {
		out[i] = words[i%len(words)]
	}
	return strings.Join(out, " ")
}
