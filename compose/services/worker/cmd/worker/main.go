// Command worker runs jobs from the stack's Redis stream (compose/CONTRACT.md).
//
//	worker              run until SIGTERM or SIGINT
//	worker healthcheck  exit 0 when Redis and PostgreSQL answer, else 1
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

// run returns the exit code: 0 ok, 1 runtime failure, 2 bad usage or configuration.
func run(args []string, stdout, stderr io.Writer) int {
	command := "run"
	if len(args) > 0 {
		command = args[0]
	}
	if len(args) > 1 || (command != "run" && command != "healthcheck") {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cfg, err := config.FromOS()
	if err != nil {
		fmt.Fprintf(stderr, "worker: bad configuration:\n%v\n", err)
		return 2
	}
	log := logx.New(stdout, cfg.LogLevel)
	if command == "healthcheck" {
		log = slog.New(slog.DiscardHandler) // the verdict goes to stderr; stdout stays quiet
	}
	redis.SetLogger(redisLogger{log})
	rdb, pool, err := connect(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "worker: %v\n", err)
		return 2
	}
	defer rdb.Close()
	defer pool.Close()

	if command == "healthcheck" {
		if err := healthcheck(rdb, pool); err != nil {
			fmt.Fprintf(stderr, "worker: unhealthy: %v\n", err)
			return 1
		}
		return 0
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	w := &worker.Worker{
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
	}
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

// healthcheck asks both servers, each within healthTimeout, and reports every one that failed.
func healthcheck(rdb *redis.Client, pool *pgxpool.Pool) error {
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
