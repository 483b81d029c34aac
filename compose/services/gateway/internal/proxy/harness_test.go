package proxy

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubemap/stack/gateway/internal/routes"
)

// The tests run the gateway on a real loopback listener in front of real loopback upstream
// servers; nothing in the proxy path is mocked.

// seen is what an echo upstream received, sent back as JSON.
type seen struct {
	Upstream   string      `json:"upstream"`
	Method     string      `json:"method"`
	RequestURI string      `json:"request_uri"`
	Host       string      `json:"host"`
	Header     http.Header `json:"header"`
	BodyBytes  int         `json:"body_bytes"`
}

// echoUpstream answers every request with what it received; /healthz answers 200.
func echoUpstream(t *testing.T, name string) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(seen{
			Upstream: name, Method: r.Method, RequestURI: r.RequestURI, Host: r.Host,
			Header: r.Header, BodyBytes: len(body),
		})
	}))
	t.Cleanup(server.Close)
	return server
}

// closedPortURL returns a loopback URL where nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + listener.Addr().String()
	_ = listener.Close()
	return url
}

type gatewayUnderTest struct {
	URL    string
	logs   *syncBuffer
	server *httptest.Server
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// patience is how long a test waits for a condition before it fails: generous, because CI
// machines have 2 shared cores and are often loaded (waiting costs nothing when things are quick).
const patience = 60 * time.Second

// waitAccessLines waits until at least n access lines were written (the gateway writes each one
// after the response is flushed, so the client can see the answer first), then returns them all.
func (g *gatewayUnderTest) waitAccessLines(t *testing.T, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		lines := g.accessLines(t)
		if len(lines) >= n || time.Now().After(deadline) {
			return lines
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// accessLines returns the parsed "request" log lines.
func (g *gatewayUnderTest) accessLines(t *testing.T) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(g.logs.String()), "\n") {
		if line == "" {
			continue
		}
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		if record["msg"] == "request" {
			lines = append(lines, record)
		}
	}
	return lines
}

type gatewaySettings struct {
	maxBodyBytes    int64
	upstreamTimeout time.Duration
	readyTimeout    time.Duration
	origins         []string
}

// startGateway serves a gateway for routes (prefix → upstream URL) on a loopback port.
func startGateway(t *testing.T, routeMap map[string]string, settings gatewaySettings) *gatewayUnderTest {
	t.Helper()
	var yaml strings.Builder
	yaml.WriteString("routes:\n")
	for prefix, upstream := range routeMap {
		yaml.WriteString("  - prefix: " + prefix + "\n    upstream: " + upstream + "\n")
	}
	table, err := routes.Parse("test-routes.yaml", []byte(yaml.String()), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("routes: %v", err)
	}
	if settings.maxBodyBytes == 0 {
		settings.maxBodyBytes = 1 << 20
	}
	if settings.upstreamTimeout == 0 {
		settings.upstreamTimeout = patience
	}
	if settings.origins == nil {
		settings.origins = []string{"http://localhost:3000"}
	}
	logs := &syncBuffer{}
	gateway := New(Options{
		Routes:          table,
		AllowedOrigins:  settings.origins,
		MaxBodyBytes:    settings.maxBodyBytes,
		UpstreamTimeout: settings.upstreamTimeout,
		ReadyTimeout:    settings.readyTimeout,
		Logger:          slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	server := httptest.NewServer(gateway)
	t.Cleanup(func() {
		server.Close()
		gateway.Close()
	})
	return &gatewayUnderTest{URL: server.URL, logs: logs, server: server}
}

func do(t *testing.T, request *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 2 * patience}
	response, err := client.Do(request)
	if err != nil {
		t.Fatalf("%s %s: %v", request.Method, request.URL, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return response, body
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	request, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, request)
}

func decodeSeen(t *testing.T, body []byte) seen {
	t.Helper()
	var s seen
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatalf("upstream answer is not JSON: %q: %v", body, err)
	}
	return s
}

// expectError checks the contract's error shape and returns it.
func expectError(t *testing.T, response *http.Response, body []byte, status int, code string) ErrorDetail {
	t.Helper()
	if response.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", response.StatusCode, status, body)
	}
	if ct := response.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var decoded ErrorBody
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&decoded); err != nil {
		t.Fatalf("error body %q is not the contract's shape: %v", body, err)
	}
	if decoded.Error.Code != code {
		t.Errorf("error code %q, want %q", decoded.Error.Code, code)
	}
	if decoded.Error.Message == "" {
		t.Error("error message is empty")
	}
	if id := response.Header.Get(HeaderRequestID); id == "" || decoded.Error.RequestID != id {
		t.Errorf("error request_id %q, header %q: want both set and equal", decoded.Error.RequestID, id)
	}
	return decoded.Error
}

func httptestServer(t *testing.T, handler http.Handler) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	return server
}
