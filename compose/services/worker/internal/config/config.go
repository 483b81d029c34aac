// Package config reads the worker's settings from the environment, with the names and defaults
// fixed in compose/CONTRACT.md.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kubemap/stack/worker/internal/worker"
)

// Config is everything the worker needs to run; build it with Load.
type Config struct {
	LogLevel      string
	RedisURL      string
	Postgres      Postgres
	JobsStream    string
	JobsGroup     string
	DeadStream    string
	MaxAttempts   int
	ClaimIdle     time.Duration
	Concurrency   int
	WorkerName    string
	ChatURL       string
	ShutdownGrace time.Duration
}

// Postgres holds the connection settings; the password comes from a file when one is named.
type Postgres struct {
	Host, Port, DB, User, Password string
}

// DSN is a libpq-style URL that pgx understands.
func (p Postgres) DSN() string {
	u := url.URL{Scheme: "postgres", Host: p.Host + ":" + p.Port, Path: "/" + p.DB}
	if p.Password != "" {
		u.User = url.UserPassword(p.User, p.Password)
	} else {
		u.User = url.User(p.User)
	}
	return u.String()
}

// Getenv looks a variable up; os.LookupEnv in production, a map in tests.
type Getenv func(key string) (string, bool)

// FromOS loads the configuration from the process environment.
func FromOS() (Config, error) { return Load(os.LookupEnv) }

// Load builds a Config, collecting every bad value into one error so the operator fixes all at once.
func Load(getenv Getenv) (Config, error) {
	r := reader{getenv: getenv}
	hostname, _ := os.Hostname()
	c := Config{
		LogLevel:   r.str("LOG_LEVEL", "info"),
		RedisURL:   r.str("REDIS_URL", "redis://localhost:6379/0"),
		JobsStream: r.str("JOBS_STREAM", "agent:jobs"),
		JobsGroup:  r.str("JOBS_GROUP", "workers"),
		DeadStream: r.str("JOBS_DEAD_STREAM", "agent:jobs:dead"),
		WorkerName: r.str("WORKER_NAME", hostname),
		ChatURL:    strings.TrimRight(r.str("CHAT_URL", "http://localhost:3001"), "/"),
		Postgres: Postgres{
			Host: r.str("POSTGRES_HOST", "localhost"),
			Port: r.str("POSTGRES_PORT", "5432"),
			DB:   r.str("POSTGRES_DB", "agents"),
			User: r.str("POSTGRES_USER", "agents"),
		},
		MaxAttempts:   r.positiveInt("JOB_MAX_ATTEMPTS", 3),
		ClaimIdle:     r.seconds("JOB_CLAIM_IDLE_SECONDS", 30, worker.MinClaimIdle),
		Concurrency:   r.positiveInt("WORKER_CONCURRENCY", 2),
		ShutdownGrace: r.seconds("WORKER_SHUTDOWN_GRACE_SECONDS", 20, 0),
	}
	c.Postgres.Password = r.password()
	switch c.LogLevel {
	case "debug", "info", "warning", "error":
	default:
		r.fail("LOG_LEVEL", c.LogLevel, "use one of debug, info, warning, error")
	}
	if c.WorkerName == "" {
		r.fail("WORKER_NAME", "", "set a consumer name (the hostname is unknown)")
	}
	if _, err := strconv.Atoi(c.Postgres.Port); err != nil {
		r.fail("POSTGRES_PORT", c.Postgres.Port, "use a port number")
	}
	if u, err := url.Parse(c.ChatURL); err != nil || u.Scheme == "" || u.Host == "" {
		r.fail("CHAT_URL", c.ChatURL, "use an absolute URL such as http://chat:3001")
	}
	if len(r.errs) > 0 {
		return Config{}, errors.Join(r.errs...)
	}
	return c, nil
}

type reader struct {
	getenv Getenv
	errs   []error
}

func (r *reader) fail(key, value, hint string) {
	r.errs = append(r.errs, fmt.Errorf("environment variable %s=%q is invalid: %s", key, value, hint))
}

func (r *reader) str(key, def string) string {
	if v, ok := r.getenv(key); ok && v != "" {
		return v
	}
	return def
}

func (r *reader) positiveInt(key string, def int) int {
	v, ok := r.getenv(key)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		r.fail(key, v, "use a whole number of at least 1")
		return def
	}
	return n
}

// seconds accepts fractions ("0.5") so tests can use short timeouts; the value must be greater
// than 0 and not below the given least duration.
func (r *reader) seconds(key string, def float64, least time.Duration) time.Duration {
	v, ok := r.getenv(key)
	if !ok || v == "" {
		return time.Duration(def * float64(time.Second))
	}
	f, err := strconv.ParseFloat(v, 64)
	d := time.Duration(f * float64(time.Second))
	if err != nil || f <= 0 || d < least {
		hint := "use a number of seconds greater than 0"
		if least > 0 {
			hint = fmt.Sprintf("use a number of seconds of at least %g", least.Seconds())
		}
		r.fail(key, v, hint)
		return time.Duration(def * float64(time.Second))
	}
	return d
}

// password follows the contract: POSTGRES_PASSWORD_FILE, else POSTGRES_PASSWORD, else none.
func (r *reader) password() string {
	if path, ok := r.getenv("POSTGRES_PASSWORD_FILE"); ok && path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			r.fail("POSTGRES_PASSWORD_FILE", path, "the file cannot be read: "+err.Error())
			return ""
		}
		// Secrets written by editors or `echo` end in a newline that is not part of the password.
		return strings.TrimRight(string(b), "\r\n")
	}
	v, _ := r.getenv("POSTGRES_PASSWORD")
	return v
}
