package config

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(values map[string]string) Getenv {
	return func(key string) string { return values[key] }
}

func TestDefaultsFollowTheContract(t *testing.T) {
	cfg, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Port:            8080,
		RoutesFile:      "/etc/gateway/routes.yaml",
		AllowedOrigins:  []string{"http://localhost:3000"},
		MaxBodyBytes:    1048576,
		UpstreamTimeout: 30 * time.Second,
		LogLevel:        slog.LevelInfo,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("defaults\n got %+v\nwant %+v", cfg, want)
	}
}

func TestValuesFromEnvironment(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		"PORT":                     "9090",
		"GATEWAY_ROUTES_FILE":      "/tmp/r.yaml",
		"CORS_ALLOWED_ORIGINS":     " http://a.example:3000/ , https://b.example,",
		"MAX_BODY_BYTES":           "10",
		"UPSTREAM_TIMEOUT_SECONDS": "3",
		"LOG_LEVEL":                "WARNING",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Port:            9090,
		RoutesFile:      "/tmp/r.yaml",
		AllowedOrigins:  []string{"http://a.example:3000", "https://b.example"},
		MaxBodyBytes:    10,
		UpstreamTimeout: 3 * time.Second,
		LogLevel:        slog.LevelWarn,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("got %+v\nwant %+v", cfg, want)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]map[string]string{
		"PORT":                     {"PORT": "http"},
		"MAX_BODY_BYTES":           {"MAX_BODY_BYTES": "-1"},
		"UPSTREAM_TIMEOUT_SECONDS": {"UPSTREAM_TIMEOUT_SECONDS": "1.5"},
		"LOG_LEVEL":                {"LOG_LEVEL": "loud"},
		"CORS_ALLOWED_ORIGINS":     {"CORS_ALLOWED_ORIGINS": "localhost:3000"},
	}
	for variable, values := range cases {
		t.Run(variable, func(t *testing.T) {
			_, err := Load(env(values))
			if err == nil {
				t.Fatalf("Load accepted %v", values)
			}
			if !strings.Contains(err.Error(), variable) {
				t.Fatalf("error %q does not name %s", err, variable)
			}
		})
	}
}

func TestPortRange(t *testing.T) {
	for _, raw := range []string{"0", "65536", "80x"} {
		if _, err := Port(env(map[string]string{"PORT": raw})); err == nil {
			t.Errorf("PORT=%s accepted", raw)
		}
	}
	if port, err := Port(env(map[string]string{"PORT": "65535"})); err != nil || port != 65535 {
		t.Fatalf("PORT=65535: %d, %v", port, err)
	}
}
