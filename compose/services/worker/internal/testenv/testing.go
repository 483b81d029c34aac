package testenv

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// Env is one test's slice of the real servers: its own database and its own stream names.
type Env struct {
	DSN        string
	Pool       *pgxpool.Pool
	RedisURL   string
	Redis      *redis.Client
	Prefix     string // every Redis key of this test starts with it
	Stream     string
	DeadStream string
	Group      string
}

// New gives a test a fresh database and unique stream names, failing (never skipping) when the
// servers are missing, and removes both when the test ends.
func New(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	adminDSN, err := PostgresAdminDSN()
	if err != nil {
		t.Fatal(err)
	}
	redisURL, err := RedisURL()
	if err != nil {
		t.Fatal(err)
	}
	rdb, err := PingRedis(ctx, redisURL)
	if err != nil {
		t.Fatal(err)
	}
	name := UniqueName("worker_test")
	dsn, drop, err := CreateDatabase(ctx, adminDSN, name)
	if err != nil {
		_ = rdb.Close()
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	prefix := name + ":"
	t.Cleanup(func() {
		pool.Close()
		if err := drop(); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
		if err := DeleteKeys(context.Background(), rdb, prefix); err != nil {
			t.Errorf("deleting keys %s*: %v", prefix, err)
		}
		_ = rdb.Close()
	})
	return &Env{
		DSN: dsn, Pool: pool, RedisURL: redisURL, Redis: rdb, Prefix: prefix,
		Stream: prefix + "jobs", DeadStream: prefix + "jobs:dead", Group: "workers",
	}
}
