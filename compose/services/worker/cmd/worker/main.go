// Command worker runs jobs from the stack's Redis stream (compose/CONTRACT.md).
//
//	worker              run until SIGTERM or SIGINT
//	worker healthcheck  exit 0 when Redis and PostgreSQL answer, else 1 (never 2: Docker reserves it)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/kubemap/stack/worker/internal/config"
	"github.com/kubemap/stack/worker/internal/jobs"
	"github.com/kubemap/stack/worker/internal/logx"
	"github.com/kubemap/stack/worker/internal/queue"
	"github.com/kubemap/stack/worker/internal/store"
	"github.com/kubemap/stack/worker/internal/worker"
)

// healthTimeout bounds the health check so a container probe never hangs.
const healthTimeout = 3 * time.Second

const usage = "usage: worker [run | healthcheck]"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit code. `run`: 0 clean stop, 1 the worker failed, 2 bad usage or
// configuration. `healthcheck`: 0 healthy, 1 anything else, bad configuration included: Docker
// reserves 2 for health checks.
func run(args []string, stdout, stderr io.Writer) int {
	command := "run"
	if len(args) > 0 {
		command = args[0]
	}
	switch {
	case command == "healthcheck":
		if err := healthcheck(args[1:]); err != nil {
			fmt.Fprintf(stderr, "worker: unhealthy: %v\n", err)
			return 1
		}
		return 0
	case command != "run" || len(args) > 1:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cfg, err := config.FromOS()
	if err != nil {
		fmt.Fprintf(stderr, "worker: bad configuration:\n%v\n", err)
		return 2
	}
	log := logx.New(stdout, cfg.LogLevel)
	redis.SetLogger(redisLogger{log})
	rdb, pool, err := connect(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "worker: bad configuration: %v\n", err)
		return 2
	}
	defer rdb.Close()
	defer pool.Close()
	w, err := worker.New(worker.Config{
		Queue: queue.New(rdb, queue.Options{
			Stream: cfg.JobsStream, Group: cfg.JobsGroup, Consumer: cfg.WorkerName,
			DeadStream: cfg.DeadStream, Block: min(time.Second, cfg.ClaimIdle/2), ClaimIdle: cfg.ClaimIdle,
		}),
		Store:         store.New(pool),
		Runner:        jobs.Runner{Chat: jobs.NewChatClient(cfg.ChatURL)},
		Log:           log,
		Name:          cfg.WorkerName,
		Concurrency:   cfg.Concurrency,
		MaxAttempts:   cfg.MaxAttempts,
		ClaimIdle:     cfg.ClaimIdle,
		ShutdownGrace: cfg.ShutdownGrace,
	})
	if err != nil {
		fmt.Fprintf(stderr, "worker: bad configuration:\n%v\n", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := w.Run(ctx); err != nil {
		log.Error("worker stopped", "error", err.Error())
		return 1
	}
	log.Info("worker stopped")
	return 0
}

// connect builds the clients; it does not dial yet (both connect lazily).
func connect(cfg config.Config) (*redis.Client, *pgxpool.Pool, error) {
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL=%q is not a Redis URL: %w", cfg.RedisURL, err)
	}
	pgCfg, err := pgxpool.ParseConfig(cfg.Postgres.DSN())
	if err != nil {
		return nil, nil, fmt.Errorf("PostgreSQL settings: %w", err)
	}
	// One connection per job in flight, plus room for heartbeats' neighbours and health checks.
	pgCfg.MaxConns = int32(cfg.Concurrency + 2)
	pool, err := pgxpool.NewWithConfig(context.Background(), pgCfg)
	if err != nil {
		return nil, nil, fmt.Errorf("PostgreSQL settings: %w", err)
	}
	return redis.NewClient(opts), pool, nil
}

// healthcheck reads the configuration and asks both servers, each within healthTimeout; the
// error names everything that is wrong. It logs nothing: the verdict goes to stderr.
func healthcheck(args []string) error {
	if len(args) > 0 {
		return errors.New(usage)
	}
	cfg, err := config.FromOS()
	if err != nil {
		return fmt.Errorf("bad configuration:\n%w", err)
	}
	redis.SetLogger(redisLogger{slog.New(slog.DiscardHandler)})
	rdb, pool, err := connect(cfg)
	if err != nil {
		return fmt.Errorf("bad configuration: %w", err)
	}
	defer rdb.Close()
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	var errs []error
	if err := rdb.Ping(ctx).Err(); err != nil {
		errs = append(errs, fmt.Errorf("redis: %w", err))
	}
	if err := pool.Ping(ctx); err != nil {
		errs = append(errs, fmt.Errorf("postgres: %w", err))
	}
	return errors.Join(errs...)
}

// redisLogger sends go-redis's own messages (reconnects) into the JSON log instead of stderr.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn(fmt.Sprintf(format, v...), "component", "redis")
}
