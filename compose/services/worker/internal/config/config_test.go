package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Getenv {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"WORKER_NAME": "w1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		LogLevel: "info", RedisURL: "redis://localhost:6379/0", JobsStream: "agent:jobs",
		JobsGroup: "workers", DeadStream: "agent:jobs:dead", MaxAttempts: 3,
		ClaimIdle: 30 * time.Second, Concurrency: 2, WorkerName: "w1",
		ChatURL: "http://localhost:3001", ShutdownGrace: 20 * time.Second,
		Postgres: Postgres{Host: "localhost", Port: "5432", DB: "agents", User: "agents"},
	}
	if c != want {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
	if got := c.Postgres.DSN(); got != "postgres://agents@localhost:5432/agents" {
		t.Fatalf("DSN = %s", got)
	}
}

func TestPasswordSources(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("s3cr/et\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"none", map[string]string{}, ""},
		{"plain", map[string]string{"POSTGRES_PASSWORD": "p"}, "p"},
		{"file wins", map[string]string{"POSTGRES_PASSWORD": "p", "POSTGRES_PASSWORD_FILE": file}, "s3cr/et"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["WORKER_NAME"] = "w"
			c, err := Load(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.Postgres.Password != tt.want {
				t.Fatalf("password = %q, want %q", c.Postgres.Password, tt.want)
			}
		})
	}
	c, _ := Load(env(map[string]string{"WORKER_NAME": "w", "POSTGRES_PASSWORD_FILE": file}))
	if got := c.Postgres.DSN(); got != "postgres://agents:s3cr%2Fet@localhost:5432/agents" {
		t.Fatalf("DSN = %s", got)
	}
}

func TestLoadOverridesAndFractions(t *testing.T) {
	c, err := Load(env(map[string]string{
		"WORKER_NAME": "w", "JOB_CLAIM_IDLE_SECONDS": "0.5", "WORKER_CONCURRENCY": "4",
		"JOB_MAX_ATTEMPTS": "5", "CHAT_URL": "http://chat:3001/", "LOG_LEVEL": "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClaimIdle != 500*time.Millisecond || c.Concurrency != 4 || c.MaxAttempts != 5 ||
		c.ChatURL != "http://chat:3001" || c.LogLevel != "debug" {
		t.Fatalf("unexpected %+v", c)
	}
}

func TestClaimIdleHasTheWorkersMinimum(t *testing.T) {
	if _, err := Load(env(map[string]string{"WORKER_NAME": "w", "JOB_CLAIM_IDLE_SECONDS": "0.01"})); err != nil {
		t.Fatalf("10 ms is the minimum and allowed: %v", err)
	}
	_, err := Load(env(map[string]string{"WORKER_NAME": "w", "JOB_CLAIM_IDLE_SECONDS": "0.005"}))
	if err == nil || !strings.Contains(err.Error(), `JOB_CLAIM_IDLE_SECONDS="0.005" is invalid: use a number of seconds of at least 0.01`) {
		t.Fatalf("got %v", err)
	}
}

func TestLoadReportsEveryBadValue(t *testing.T) {
	_, err := Load(env(map[string]string{
		"WORKER_NAME": "w", "WORKER_CONCURRENCY": "0", "JOB_CLAIM_IDLE_SECONDS": "soon",
		"LOG_LEVEL": "loud", "POSTGRES_PASSWORD_FILE": "/nonexistent/pw", "POSTGRES_PORT": "x",
		"CHAT_URL": "chat",
	}))
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, key := range []string{"WORKER_CONCURRENCY", "JOB_CLAIM_IDLE_SECONDS", "LOG_LEVEL",
		"POSTGRES_PASSWORD_FILE", "POSTGRES_PORT", "CHAT_URL"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
}
