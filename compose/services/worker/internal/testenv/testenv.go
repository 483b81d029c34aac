// Package testenv gives integration tests (and the benchmark) their own PostgreSQL database and
// Redis key names on the real servers started by scripts/test-servers.sh.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// MigrationsDir is where the orchestrator keeps its migrations, which own the schema of
// compose/CONTRACT.md. Tests read them from there (rather than from a copy) so the worker is
// always tested against the schema the orchestrator really creates. KUBEMAP_MIGRATIONS_DIR
// overrides it (for a build whose source paths are trimmed).
func MigrationsDir() string {
	if dir := os.Getenv("KUBEMAP_MIGRATIONS_DIR"); dir != "" {
		return dir
	}
	_, file, _, _ := runtime.Caller(0) // .../compose/services/worker/internal/testenv/testenv.go
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "orchestrator", "orchestrator", "migrations")
}

// Schema is the orchestrator's migrations, concatenated in version order.
func Schema() (string, error) {
	files, err := filepath.Glob(filepath.Join(MigrationsDir(), "*.sql"))
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("no orchestrator migrations in %s (set KUBEMAP_MIGRATIONS_DIR)", MigrationsDir())
	}
	sort.Strings(files)
	var sql strings.Builder
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		sql.Write(body)
		sql.WriteString("\n")
	}
	return sql.String(), nil
}

const hint = "start the test servers with `scripts/test-servers.sh up` and export the variables " +
	"it prints (`export $(scripts/test-servers.sh env)`), or run `make test-worker`"

// PostgresAdminDSN is the DSN of the server's maintenance database, from KUBEMAP_TEST_PG_DSN.
func PostgresAdminDSN() (string, error) { return lookup("KUBEMAP_TEST_PG_DSN") }

// RedisURL is the test Redis, from KUBEMAP_TEST_REDIS_URL.
func RedisURL() (string, error) { return lookup("KUBEMAP_TEST_REDIS_URL") }

func lookup(key string) (string, error) {
	v := os.Getenv(key)
	if v == "" {
		return "", fmt.Errorf("%s is not set: these tests need the real servers; %s", key, hint)
	}
	return v, nil
}

// UniqueName is a random lowercase name with a prefix, valid as a database or key name.
func UniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// CreateDatabase makes a fresh database with the schema on the server of adminDSN and returns
// its DSN and a function that drops it.
func CreateDatabase(ctx context.Context, adminDSN, name string) (dsn string, drop func() error, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL at %s does not answer (%v): %s", adminDSN, err, hint)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	u, err := url.Parse(adminDSN)
	if err != nil {
		return "", nil, fmt.Errorf("KUBEMAP_TEST_PG_DSN is not a URL: %w", err)
	}
	u.Path = "/" + name
	dsn = u.String()
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminDSN)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		return err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, errors.Join(err, drop())
	}
	defer conn.Close(context.Background())
	schema, err := Schema()
	if err != nil {
		return "", nil, errors.Join(err, drop())
	}
	if _, err := conn.Exec(ctx, schema); err != nil {
		return "", nil, errors.Join(fmt.Errorf("applying the orchestrator's migrations: %w", err), drop())
	}
	return dsn, drop, nil
}

// PingRedis checks the test Redis answers, with the hint in the error when it does not.
func PingRedis(ctx context.Context, redisURL string) (*redis.Client, error) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("KUBEMAP_TEST_REDIS_URL=%q is not a Redis URL: %w", redisURL, err)
	}
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("Redis at %s does not answer (%v): %s", redisURL, err, hint)
	}
	return rdb, nil
}

// DeleteKeys removes every key starting with prefix (a test's streams).
func DeleteKeys(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, strings.ReplaceAll(prefix, "*", `\*`)+"*", 100).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}
