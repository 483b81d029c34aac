// Package config reads the gateway's settings from the environment (twelve-factor).
// Names and defaults are fixed by compose/CONTRACT.md.
package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Defaults from compose/CONTRACT.md.
const (
	DefaultPort                   = 8080
	DefaultRoutesFile             = "/etc/gateway/routes.yaml"
	DefaultCORSAllowedOrigins     = "http://localhost:3000"
	DefaultMaxBodyBytes           = 1048576
	DefaultUpstreamTimeoutSeconds = 30
	DefaultLogLevel               = "info"
)

// Config is the gateway's validated configuration.
type Config struct {
	Port            int
	RoutesFile      string
	AllowedOrigins  []string
	MaxBodyBytes    int64
	UpstreamTimeout time.Duration
	LogLevel        slog.Level
}

// Getenv looks up one environment variable ("" when unset), like os.Getenv.
type Getenv func(key string) string

// Load reads and validates every setting; the error names the variable, its value and the fix.
func Load(getenv Getenv) (Config, error) {
	port, err := Port(getenv)
	if err != nil {
		return Config{}, err
	}
	maxBody, err := positiveInt(getenv, "MAX_BODY_BYTES", DefaultMaxBodyBytes)
	if err != nil {
		return Config{}, err
	}
	timeoutSeconds, err := positiveInt(getenv, "UPSTREAM_TIMEOUT_SECONDS", DefaultUpstreamTimeoutSeconds)
	if err != nil {
		return Config{}, err
	}
	level, err := logLevel(getenv)
	if err != nil {
		return Config{}, err
	}
	origins, err := allowedOrigins(getenv)
	if err != nil {
		return Config{}, err
	}
	return Config{
		Port:            port,
		RoutesFile:      withDefault(getenv("GATEWAY_ROUTES_FILE"), DefaultRoutesFile),
		AllowedOrigins:  origins,
		MaxBodyBytes:    maxBody,
		UpstreamTimeout: time.Duration(timeoutSeconds) * time.Second,
		LogLevel:        level,
	}, nil
}

// Port reads PORT alone; the healthcheck subcommand needs nothing else.
func Port(getenv Getenv) (int, error) {
	raw := strings.TrimSpace(getenv("PORT"))
	if raw == "" {
		return DefaultPort, nil
	}
	port, err := strconv.Atoi(raw)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("config: PORT=%q is not a TCP port; set it to a number from 1 to 65535", raw)
	}
	return port, nil
}

func positiveInt(getenv Getenv, key string, fallback int64) (int64, error) {
	raw := strings.TrimSpace(getenv(key))
	if raw == "" {
		return fallback, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("config: %s=%q is not a positive whole number; unset it for the default %d", key, raw, fallback)
	}
	return n, nil
}

func logLevel(getenv Getenv) (slog.Level, error) {
	raw := strings.ToLower(strings.TrimSpace(withDefault(getenv("LOG_LEVEL"), DefaultLogLevel)))
	switch raw {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warning", "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("config: LOG_LEVEL=%q is not a log level; use debug, info, warning or error", raw)
}

// allowedOrigins splits the comma-separated list; "*" allows any origin.
func allowedOrigins(getenv Getenv) ([]string, error) {
	raw := withDefault(getenv("CORS_ALLOWED_ORIGINS"), DefaultCORSAllowedOrigins)
	var origins []string
	for _, part := range strings.Split(raw, ",") {
		origin := strings.TrimRight(strings.TrimSpace(part), "/")
		if origin == "" {
			continue
		}
		if origin != "*" && !strings.HasPrefix(origin, "http://") && !strings.HasPrefix(origin, "https://") {
			return nil, fmt.Errorf("config: CORS_ALLOWED_ORIGINS entry %q is not an origin; write it as scheme://host[:port], e.g. http://localhost:3000", origin)
		}
		origins = append(origins, origin)
	}
	return origins, nil
}

func withDefault(value, fallback string) string {
	if strings.TrimSpace(value) == "" {
		return fallback
	}
	return value
}
