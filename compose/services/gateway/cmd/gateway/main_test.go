package main

// These tests build the real gateway binary and run it as a process, the way a container does.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binaryPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gateway-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binaryPath = filepath.Join(dir, "gateway")
	build := exec.Command("go", "build", "-buildvcs=false", "-o", binaryPath, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if output, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the gateway binary failed: %v\n%s", err, output)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gatewayEnv is the test process's environment without the gateway's own variables, plus extra.
func gatewayEnv(extra ...string) []string {
	owned := []string{"PORT=", "GATEWAY_ROUTES_FILE=", "CORS_ALLOWED_ORIGINS=", "MAX_BODY_BYTES=",
		"UPSTREAM_TIMEOUT_SECONDS=", "LOG_LEVEL=", "ORCHESTRATOR_URL=", "CHAT_URL="}
	var env []string
	for _, entry := range os.Environ() {
		keep := true
		for _, prefix := range owned {
			if strings.HasPrefix(entry, prefix) {
				keep = false
			}
		}
		if keep {
			env = append(env, entry)
		}
	}
	return append(env, extra...)
}

func freePort(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port
}

func writeRoutes(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "routes.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// patience is how long a test waits for a condition before it fails: generous, because CI
// machines have 2 shared cores and are often loaded (waiting costs nothing when things are quick).
const patience = 60 * time.Second

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type runningGateway struct {
	cmd    *exec.Cmd
	port   int
	stdout *lockedBuffer
	stderr *lockedBuffer
	exited chan error
}

// startGatewayProcess runs the binary and waits until its /healthz answers.
func startGatewayProcess(t *testing.T, env ...string) *runningGateway {
	t.Helper()
	port := freePort(t)
	g := &runningGateway{port: port, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	g.cmd = exec.Command(binaryPath)
	g.cmd.Env = gatewayEnv(append(env, "PORT="+strconv.Itoa(port))...)
	g.cmd.Stdout, g.cmd.Stderr = g.stdout, g.stderr
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { g.exited <- g.cmd.Wait() }()
	t.Cleanup(func() {
		if g.cmd.ProcessState == nil {
			_ = g.cmd.Process.Kill()
			<-g.exited
		}
	})
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		response, err := http.Get(g.url("/healthz"))
		if err == nil {
			response.Body.Close()
			return g
		}
		select {
		case err := <-g.exited:
			t.Fatalf("gateway exited early (%v); stderr:\n%s", err, g.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("gateway did not answer /healthz within %s; stderr:\n%s", patience, g.stderr.String())
	return nil
}

func (g *runningGateway) url(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(g.port) + path
}

// stop sends SIGTERM and returns the exit code.
func (g *runningGateway) stop(t *testing.T) int {
	t.Helper()
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-g.exited:
		return exitCode(t, err)
	case <-time.After(patience):
		t.Fatalf("gateway did not stop within %s of SIGTERM", patience)
		return -1
	}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	t.Fatalf("process did not run: %v", err)
	return -1
}

// runBinary runs the gateway binary to completion and returns its exit code and output.
func runBinary(t *testing.T, args []string, env ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binaryPath, args...)
	cmd.Env = gatewayEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitCode(t, err), stdout.String(), stderr.String()
	case <-time.After(patience):
		_ = cmd.Process.Kill()
		t.Fatalf("gateway %v did not finish within %s", args, patience)
		return -1, "", ""
	}
}

const contractRoutes = "routes:\n  - prefix: /tasks\n    upstream: ${ORCHESTRATOR_URL}\n  - prefix: /chat\n    upstream: ${CHAT_URL}\n"

func TestServeProxiesAndHealthcheckExitCodes(t *testing.T) {
	orchestrator := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	}))
	defer orchestrator.Close()
	g := startGatewayProcess(t,
		"GATEWAY_ROUTES_FILE="+writeRoutes(t, contractRoutes),
		"ORCHESTRATOR_URL="+orchestrator.URL,
	)

	response, err := http.Get(g.url("/tasks/abc"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(response.Body)
	response.Body.Close()
	if response.StatusCode != http.StatusOK || string(body) != `{"path":"/tasks/abc"}` {
		t.Fatalf("GET /tasks/abc through the process: %d %s", response.StatusCode, body)
	}

	code, _, stderr := runBinary(t, []string{"healthcheck"}, "PORT="+strconv.Itoa(g.port))
	if code != 0 {
		t.Fatalf("healthcheck against a running gateway exited %d: %s", code, stderr)
	}

	if code := g.stop(t); code != 0 {
		t.Fatalf("gateway exited %d after SIGTERM; stderr:\n%s", code, g.stderr.String())
	}
	logs := g.stdout.String()
	for _, fragment := range []string{`"level":"info","msg":"listening"`, `"msg":"request"`, `"path":"/tasks/abc"`, `"msg":"stopped"`} {
		if !strings.Contains(logs, fragment) {
			t.Errorf("stdout lacks %s:\n%s", fragment, logs)
		}
	}

	code, _, stderr = runBinary(t, []string{"healthcheck"}, "PORT="+strconv.Itoa(g.port))
	if code != 1 {
		t.Fatalf("healthcheck with no gateway exited %d, want 1 (%s)", code, stderr)
	}
	if !strings.Contains(stderr, "/healthz") {
		t.Errorf("healthcheck failure message %q does not say what it asked", stderr)
	}
}

// The upstream holds the request until the gateway has begun shutting down, so the request is
// certainly in flight during the shutdown (whatever the machine's speed).
func TestSIGTERMLetsInFlightRequestsFinish(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		fmt.Fprint(w, "finished")
	}))
	defer slow.Close()
	g := startGatewayProcess(t, "GATEWAY_ROUTES_FILE="+writeRoutes(t, contractRoutes), "ORCHESTRATOR_URL="+slow.URL)

	type result struct {
		status int
		body   string
		err    error
	}
	results := make(chan result, 1)
	go func() {
		response, err := http.Get(g.url("/tasks/slow"))
		if err != nil {
			results <- result{err: err}
			return
		}
		defer response.Body.Close()
		body, _ := io.ReadAll(response.Body)
		results <- result{status: response.StatusCode, body: string(body)}
	}()
	<-started
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(patience)
	for !strings.Contains(g.stdout.String(), `"msg":"shutting down"`) {
		if time.Now().After(deadline) {
			t.Fatalf("gateway did not log shutting down within %s of SIGTERM:\n%s", patience, g.stdout.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(release)
	if code := g.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
	got := <-results
	if got.err != nil || got.status != http.StatusOK || got.body != "finished" {
		t.Fatalf("in-flight request during shutdown: %+v", got)
	}
}

func TestBadConfigurationExitsWithCode2AndAClearMessage(t *testing.T) {
	badRoutes := writeRoutes(t, "routes:\n  - prefix: /tasks\n    upstream: orchestrator:8000\n")
	cases := []struct {
		name string
		args []string
		env  []string
		want []string
	}{
		{"bad upstream", nil, []string{"GATEWAY_ROUTES_FILE=" + badRoutes}, []string{badRoutes, "routes[0].upstream", "not an absolute http(s) URL"}},
		{"missing route file", []string{"serve"}, []string{"GATEWAY_ROUTES_FILE=/nonexistent/routes.yaml"}, []string{"/nonexistent/routes.yaml", "GATEWAY_ROUTES_FILE"}},
		{"bad max body", nil, []string{"MAX_BODY_BYTES=lots"}, []string{"MAX_BODY_BYTES"}},
		{"unknown command", []string{"launch"}, nil, []string{`unknown command "launch"`, "usage:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, tc.args, append(tc.env, "PORT="+strconv.Itoa(freePort(t)))...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout should be empty on a configuration error, got %q", stdout)
			}
			for _, fragment := range tc.want {
				if !strings.Contains(stderr, fragment) {
					t.Errorf("stderr %q lacks %q", stderr, fragment)
				}
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stderr has a traceback: %q", stderr)
			}
		})
	}
}

func TestHealthcheckWithBadPortExits1(t *testing.T) {
	code, _, stderr := runBinary(t, []string{"healthcheck"}, "PORT=eighty")
	if code != 1 || !strings.Contains(stderr, "PORT") {
		t.Fatalf("exit %d, stderr %q: want 1 and a message naming PORT", code, stderr)
	}
}
