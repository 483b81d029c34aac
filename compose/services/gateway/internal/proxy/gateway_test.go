package proxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRoutesByLongestPrefixAndKeepsPathAndQuery(t *testing.T) {
	orchestrator := echoUpstream(t, "orchestrator")
	chat := echoUpstream(t, "chat")
	admin := echoUpstream(t, "admin")
	gw := startGateway(t, map[string]string{
		"/tasks": orchestrator.URL, "/chat": chat.URL, "/tasks/admin": admin.URL,
	}, gatewaySettings{})

	cases := []struct{ path, upstream string }{
		{"/tasks", "orchestrator"},
		{"/tasks/123?limit=20&status=done", "orchestrator"},
		{"/tasks/a%2Fb/c%20d", "orchestrator"},
		{"/tasks/admin/x", "admin"},
		{"/tasks/administer", "orchestrator"},
		{"/chat", "chat"},
	}
	for _, tc := range cases {
		response, body := get(t, gw.URL+tc.path)
		if response.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d, body %s", tc.path, response.StatusCode, body)
		}
		s := decodeSeen(t, body)
		if s.Upstream != tc.upstream || s.RequestURI != tc.path {
			t.Errorf("GET %s reached %s as %q, want %s as %q", tc.path, s.Upstream, s.RequestURI, tc.upstream, tc.path)
		}
	}
}

func TestNoRouteIs404JSON(t *testing.T) {
	gw := startGateway(t, map[string]string{"/tasks": echoUpstream(t, "o").URL}, gatewaySettings{})
	for _, path := range []string{"/tasksx", "/", "/nothing/here"} {
		response, body := get(t, gw.URL+path)
		detail := expectError(t, response, body, http.StatusNotFound, CodeNoRoute)
		if !strings.Contains(detail.Message, path) {
			t.Errorf("404 message %q does not name %s", detail.Message, path)
		}
	}
}

func TestDotDotSegmentsAreRejected(t *testing.T) {
	gw := startGateway(t, map[string]string{"/tasks": echoUpstream(t, "o").URL}, gatewaySettings{})
	// Sent raw so the client does not clean the path first.
	request, _ := http.NewRequest(http.MethodGet, gw.URL+"/tasks/x", nil)
	request.URL.Opaque = "/tasks/../admin"
	response, body := do(t, request)
	expectError(t, response, body, http.StatusBadRequest, CodeBadPath)
}

func TestForwardsMethodBodyAndForwardedHeaders(t *testing.T) {
	orchestrator := echoUpstream(t, "orchestrator")
	gw := startGateway(t, map[string]string{"/tasks": orchestrator.URL}, gatewaySettings{})
	request, _ := http.NewRequest(http.MethodPost, gw.URL+"/tasks", strings.NewReader(`{"goal":"count"}`))
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("X-Forwarded-For", "203.0.113.7")
	response, body := do(t, request)
	if response.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", response.StatusCode, body)
	}
	s := decodeSeen(t, body)
	if s.Method != http.MethodPost || s.BodyBytes != len(`{"goal":"count"}`) {
		t.Errorf("upstream got %s with %d body bytes", s.Method, s.BodyBytes)
	}
	if got := s.Header.Get("X-Forwarded-For"); got != "203.0.113.7, 127.0.0.1" {
		t.Errorf("X-Forwarded-For %q, want the earlier hop then the client", got)
	}
	gatewayHost := strings.TrimPrefix(gw.URL, "http://")
	if got := s.Header.Get("X-Forwarded-Host"); got != gatewayHost {
		t.Errorf("X-Forwarded-Host %q, want %q", got, gatewayHost)
	}
	if got := s.Header.Get("X-Forwarded-Proto"); got != "http" {
		t.Errorf("X-Forwarded-Proto %q, want http", got)
	}
	if want := strings.TrimPrefix(orchestrator.URL, "http://"); s.Host != want {
		t.Errorf("upstream saw Host %q, want its own %q", s.Host, want)
	}
}

func TestRequestIDGeneratedPassedUpstreamAndReturned(t *testing.T) {
	gw := startGateway(t, map[string]string{"/tasks": echoUpstream(t, "o").URL}, gatewaySettings{})

	response, body := get(t, gw.URL+"/tasks/1")
	id := response.Header.Get(HeaderRequestID)
	if !uuidPattern.MatchString(id) {
		t.Fatalf("generated X-Request-ID %q is not a UUIDv4", id)
	}
	if upstreamID := decodeSeen(t, body).Header.Get(HeaderRequestID); upstreamID != id {
		t.Fatalf("upstream got X-Request-ID %q, client got %q", upstreamID, id)
	}
	second, _ := get(t, gw.URL+"/tasks/1")
	if second.Header.Get(HeaderRequestID) == id {
		t.Fatal("two requests got the same generated id")
	}

	request, _ := http.NewRequest(http.MethodGet, gw.URL+"/tasks/1", nil)
	request.Header.Set(HeaderRequestID, "trace-42.a:b_c")
	response, body = do(t, request)
	if got := response.Header.Get(HeaderRequestID); got != "trace-42.a:b_c" {
		t.Fatalf("incoming id not kept: %q", got)
	}
	if got := decodeSeen(t, body).Header.Get(HeaderRequestID); got != "trace-42.a:b_c" {
		t.Fatalf("upstream got %q", got)
	}

	request, _ = http.NewRequest(http.MethodGet, gw.URL+"/tasks/1", nil)
	request.Header.Set(HeaderRequestID, "bad id with spaces")
	response, _ = do(t, request)
	if got := response.Header.Get(HeaderRequestID); !uuidPattern.MatchString(got) {
		t.Fatalf("malformed incoming id should be replaced, got %q", got)
	}
}

func TestUpstreamRequestIDDoesNotDuplicateTheHeader(t *testing.T) {
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(HeaderRequestID, "upstream-made-this")
	}))
	gw := startGateway(t, map[string]string{"/tasks": upstream.URL}, gatewaySettings{})
	request := mustRequest(t, http.MethodGet, gw.URL+"/tasks", nil)
	request.Header.Set(HeaderRequestID, "client-id")
	response, _ := do(t, request)
	if got := response.Header.Values(HeaderRequestID); len(got) != 1 || got[0] != "client-id" {
		t.Fatalf("X-Request-ID values %q, want exactly [client-id]", got)
	}
}

func TestEveryGatewayAnswerHasRequestID(t *testing.T) {
	gw := startGateway(t, map[string]string{"/tasks": closedPortURL(t)}, gatewaySettings{})
	for _, path := range []string{"/healthz", "/readyz", "/nothing", "/tasks/1"} {
		response, _ := get(t, gw.URL+path)
		if response.Header.Get(HeaderRequestID) == "" {
			t.Errorf("GET %s (%d) has no X-Request-ID", path, response.StatusCode)
		}
	}
}

func TestClosedUpstreamPortIs502JSON(t *testing.T) {
	down := closedPortURL(t)
	gw := startGateway(t, map[string]string{"/tasks": down}, gatewaySettings{})
	response, body := get(t, gw.URL+"/tasks/1")
	detail := expectError(t, response, body, http.StatusBadGateway, CodeUpstreamUnavailable)
	if !strings.Contains(detail.Message, down) {
		t.Errorf("502 message %q does not name the upstream %s", detail.Message, down)
	}
}

func TestSlowUpstreamIs504JSON(t *testing.T) {
	release := make(chan struct{})
	// The upstream answers only when the test ends, so a 504 can only come from the timeout.
	slow := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.WriteHeader(http.StatusOK)
	}))
	defer close(release)
	gw := startGateway(t, map[string]string{"/tasks": slow.URL}, gatewaySettings{upstreamTimeout: 300 * time.Millisecond})
	start := time.Now()
	response, body := get(t, gw.URL+"/tasks/1")
	elapsed := time.Since(start)
	expectError(t, response, body, http.StatusGatewayTimeout, CodeUpstreamTimeout)
	if elapsed < 300*time.Millisecond {
		t.Errorf("504 after %v, before the 300ms timeout", elapsed)
	}
}

func TestBodyLargerThanLimitIs413(t *testing.T) {
	var upstreamCalls atomic.Int32
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamCalls.Add(1)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // the gateway cut the upload
		}
		fmt.Fprintf(w, `{"body_bytes":%d}`, len(body))
	}))
	gw := startGateway(t, map[string]string{"/tasks": upstream.URL}, gatewaySettings{maxBodyBytes: 1000})

	// Declared length over the limit: refused before the upstream is called.
	response, body := do(t, mustRequest(t, http.MethodPost, gw.URL+"/tasks", bytes.NewReader(make([]byte, 1001))))
	detail := expectError(t, response, body, http.StatusRequestEntityTooLarge, CodePayloadTooLarge)
	if !strings.Contains(detail.Message, "MAX_BODY_BYTES") {
		t.Errorf("413 message %q does not name MAX_BODY_BYTES", detail.Message)
	}
	if upstreamCalls.Load() != 0 {
		t.Errorf("upstream called %d times for a refused body", upstreamCalls.Load())
	}

	// Unknown length (chunked) over the limit: cut while streaming.
	chunked := mustRequest(t, http.MethodPost, gw.URL+"/tasks", io.MultiReader(strings.NewReader(strings.Repeat("x", 600)), strings.NewReader(strings.Repeat("y", 600))))
	chunked.ContentLength = -1
	response, body = do(t, chunked)
	expectError(t, response, body, http.StatusRequestEntityTooLarge, CodePayloadTooLarge)

	// Exactly at the limit passes.
	response, body = do(t, mustRequest(t, http.MethodPost, gw.URL+"/tasks", bytes.NewReader(make([]byte, 1000))))
	if response.StatusCode != http.StatusOK || string(body) != `{"body_bytes":1000}` {
		t.Fatalf("body at the limit: %d %s", response.StatusCode, body)
	}
}

func TestCORSPreflightIsAnsweredByTheGateway(t *testing.T) {
	var upstreamCalls atomic.Int32
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { upstreamCalls.Add(1) }))
	gw := startGateway(t, map[string]string{"/tasks": upstream.URL}, gatewaySettings{origins: []string{"http://localhost:3000"}})

	preflight := mustRequest(t, http.MethodOptions, gw.URL+"/tasks", nil)
	preflight.Header.Set("Origin", "http://localhost:3000")
	preflight.Header.Set("Access-Control-Request-Method", "POST")
	preflight.Header.Set("Access-Control-Request-Headers", "content-type")
	response, _ := do(t, preflight)
	if response.StatusCode != http.StatusNoContent {
		t.Fatalf("preflight status %d, want 204", response.StatusCode)
	}
	want := map[string]string{
		"Access-Control-Allow-Origin":   "http://localhost:3000",
		"Access-Control-Allow-Methods":  corsAllowMethods,
		"Access-Control-Allow-Headers":  corsAllowHeaders,
		"Access-Control-Expose-Headers": "X-Request-ID",
		"Access-Control-Max-Age":        "600",
	}
	for name, value := range want {
		if got := response.Header.Get(name); got != value {
			t.Errorf("preflight %s = %q, want %q", name, got, value)
		}
	}
	if !strings.Contains(strings.Join(response.Header.Values("Vary"), ","), "Origin") {
		t.Errorf("preflight Vary %v lacks Origin", response.Header.Values("Vary"))
	}

	preflight.Header.Set("Origin", "http://evil.example")
	response, body := do(t, preflight)
	expectError(t, response, body, http.StatusForbidden, CodeOriginNotAllowed)
	if response.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("refused preflight still carries Access-Control-Allow-Origin")
	}
	if upstreamCalls.Load() != 0 {
		t.Errorf("preflights reached the upstream %d times", upstreamCalls.Load())
	}
}

func TestCORSHeadersOnActualRequests(t *testing.T) {
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An upstream's own CORS answer must not leak next to the gateway's.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		fmt.Fprint(w, `{}`)
	}))
	gw := startGateway(t, map[string]string{"/tasks": upstream.URL}, gatewaySettings{origins: []string{"http://localhost:3000", "https://app.example"}})

	request := mustRequest(t, http.MethodGet, gw.URL+"/tasks", nil)
	request.Header.Set("Origin", "https://app.example")
	response, _ := do(t, request)
	if got := response.Header.Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != "https://app.example" {
		t.Errorf("Access-Control-Allow-Origin %v, want exactly [https://app.example]", got)
	}
	if got := response.Header.Get("Access-Control-Expose-Headers"); got != "X-Request-ID" {
		t.Errorf("Access-Control-Expose-Headers %q, want X-Request-ID", got)
	}
	if response.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Error("upstream's Access-Control-Allow-Credentials leaked through")
	}

	request.Header.Set("Origin", "http://evil.example")
	response, _ = do(t, request)
	if got := response.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("disallowed origin got Access-Control-Allow-Origin %q", got)
	}

	// Errors made by the gateway carry CORS headers too, so the browser can read them.
	request = mustRequest(t, http.MethodGet, gw.URL+"/nothing", nil)
	request.Header.Set("Origin", "http://localhost:3000")
	response, _ = do(t, request)
	if response.StatusCode != http.StatusNotFound || response.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("404 for an allowed origin: status %d, Allow-Origin %q", response.StatusCode, response.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestWildcardOriginAllowsAny(t *testing.T) {
	gw := startGateway(t, map[string]string{"/tasks": echoUpstream(t, "o").URL}, gatewaySettings{origins: []string{"*"}})
	request := mustRequest(t, http.MethodGet, gw.URL+"/tasks", nil)
	request.Header.Set("Origin", "http://anything.example:1234")
	response, _ := do(t, request)
	if got := response.Header.Get("Access-Control-Allow-Origin"); got != "http://anything.example:1234" {
		t.Errorf("Access-Control-Allow-Origin %q, want the request's origin", got)
	}
}

// The upstream sends one event and then waits until the test has read it through the gateway:
// if the gateway buffered the stream, the first event would never arrive and the test fails.
func TestSSEEventsArriveIncrementally(t *testing.T) {
	firstRead := make(chan struct{})
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "event: delta\ndata: {\"content\":\"Hel\"}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-firstRead:
		case <-time.After(2 * patience):
			return // the test already failed
		}
		fmt.Fprint(w, "event: delta\ndata: {\"content\":\"lo\"}\n\n")
		fmt.Fprint(w, "event: done\ndata: {}\n\n")
	}))
	gw := startGateway(t, map[string]string{"/chat": upstream.URL}, gatewaySettings{})

	request := mustRequest(t, http.MethodPost, gw.URL+"/chat", strings.NewReader(`{"messages":[],"stream":true}`))
	request.Header.Set("Accept", "text/event-stream")
	// Headers and events are read in the background so a buffering gateway shows up as a
	// timeout below, not as a hang.
	events := make(chan string, 3)
	contentType := make(chan string, 1)
	go func() {
		defer close(events)
		response, err := http.DefaultClient.Do(request)
		if err != nil {
			contentType <- "error: " + err.Error()
			return
		}
		defer response.Body.Close()
		contentType <- response.Header.Get("Content-Type")
		scanner := bufio.NewScanner(response.Body)
		for scanner.Scan() {
			if line := scanner.Text(); strings.HasPrefix(line, "data: ") {
				events <- line
			}
		}
	}()
	deadline := time.After(patience)
	select {
	case ct := <-contentType:
		if ct != "text/event-stream" {
			t.Fatalf("Content-Type %q", ct)
		}
	case <-deadline:
		t.Fatal("SSE response headers did not arrive while the upstream kept the stream open: the gateway buffers")
	}
	select {
	case first := <-events:
		if first != `data: {"content":"Hel"}` {
			t.Fatalf("first event %q", first)
		}
	case <-deadline:
		t.Fatal("first SSE event did not arrive while the upstream kept the stream open: the gateway buffers")
	}
	close(firstRead)
	var rest []string
	for event := range events {
		rest = append(rest, event)
	}
	if want := []string{`data: {"content":"lo"}`, `data: {}`}; strings.Join(rest, "|") != strings.Join(want, "|") {
		t.Fatalf("remaining events %q, want %q", rest, want)
	}
}

func TestHealthzAlwaysOK(t *testing.T) {
	gw := startGateway(t, map[string]string{"/tasks": closedPortURL(t)}, gatewaySettings{})
	response, body := get(t, gw.URL+"/healthz")
	if response.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Fatalf("/healthz: %d %s", response.StatusCode, body)
	}
}

func TestReadyzWhenAllUpstreamsAnswer(t *testing.T) {
	orchestrator := echoUpstream(t, "orchestrator")
	chat := echoUpstream(t, "chat")
	// A generous budget: on a loaded machine a healthy upstream may take a while to answer.
	gw := startGateway(t, map[string]string{"/tasks": orchestrator.URL, "/tasks/x": orchestrator.URL, "/chat": chat.URL}, gatewaySettings{readyTimeout: patience})
	response, body := get(t, gw.URL+"/readyz")
	if response.StatusCode != http.StatusOK {
		t.Fatalf("/readyz %d: %s", response.StatusCode, body)
	}
	var ready ReadyBody
	if err := json.Unmarshal(body, &ready); err != nil {
		t.Fatal(err)
	}
	if ready.Status != "ready" || len(ready.Upstreams) != 2 || ready.Error != nil {
		t.Fatalf("/readyz body %s: want ready with 2 distinct upstreams", body)
	}
	if got := strings.Join(ready.Upstreams[0].Prefixes, ","); got != "/chat" {
		t.Errorf("first upstream prefixes %q, want /chat (sorted by prefix)", got)
	}
	if got := strings.Join(ready.Upstreams[1].Prefixes, ","); got != "/tasks,/tasks/x" {
		t.Errorf("second upstream prefixes %q, want /tasks,/tasks/x", got)
	}
}

func TestReadyzListsUpstreamsThatAreDown(t *testing.T) {
	healthy := echoUpstream(t, "orchestrator")
	failing := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "db down", http.StatusServiceUnavailable)
	}))
	closed := closedPortURL(t)
	gw := startGateway(t, map[string]string{"/tasks": healthy.URL, "/chat": failing.URL, "/files": closed}, gatewaySettings{readyTimeout: patience})
	response, body := get(t, gw.URL+"/readyz")
	if response.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz %d, want 503: %s", response.StatusCode, body)
	}
	var ready ReadyBody
	if err := json.Unmarshal(body, &ready); err != nil {
		t.Fatal(err)
	}
	if ready.Status != "not_ready" || ready.Error == nil || ready.Error.Code != CodeNotReady {
		t.Fatalf("/readyz body %s", body)
	}
	if ready.Error.RequestID != response.Header.Get(HeaderRequestID) {
		t.Errorf("request_id %q differs from header", ready.Error.RequestID)
	}
	byPrefix := map[string]UpstreamStatus{}
	for _, status := range ready.Upstreams {
		byPrefix[status.Prefixes[0]] = status
	}
	if !byPrefix["/tasks"].Ready || byPrefix["/chat"].Ready || byPrefix["/files"].Ready {
		t.Fatalf("readiness per upstream wrong: %s", body)
	}
	if byPrefix["/chat"].Status != http.StatusServiceUnavailable {
		t.Errorf("/chat status %d, want 503", byPrefix["/chat"].Status)
	}
	for _, down := range []string{failing.URL, closed} {
		if !strings.Contains(ready.Error.Message, down) {
			t.Errorf("message %q does not name %s", ready.Error.Message, down)
		}
	}
	if strings.Contains(ready.Error.Message, healthy.URL) {
		t.Errorf("message %q names the healthy upstream", ready.Error.Message)
	}
}

// An upstream whose /healthz takes longer than 2 s (the default budget) counts as down: /readyz
// answers although the upstream never does (until the test ends), and not before the budget.
func TestReadyzGivesUpAfterTwoSeconds(t *testing.T) {
	release := make(chan struct{})
	slow := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer close(release)
	gw := startGateway(t, map[string]string{"/tasks": slow.URL}, gatewaySettings{})
	start := time.Now()
	response, body := get(t, gw.URL+"/readyz")
	elapsed := time.Since(start)
	if response.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz %d, want 503: %s", response.StatusCode, body)
	}
	if elapsed < 1900*time.Millisecond {
		t.Errorf("/readyz answered after %v, before its 2s budget", elapsed)
	}
}

func TestAccessLogOneJSONLinePerRequest(t *testing.T) {
	orchestrator := echoUpstream(t, "orchestrator")
	gw := startGateway(t, map[string]string{"/tasks": orchestrator.URL}, gatewaySettings{})
	request := mustRequest(t, http.MethodGet, gw.URL+"/tasks/7?secret=x", nil)
	request.Header.Set(HeaderRequestID, "log-test-1")
	_, body := do(t, request)
	get(t, gw.URL+"/missing")

	// Each line is written after its response is flushed: wait for them.
	lines := gw.waitAccessLines(t, 2)
	if len(lines) != 2 {
		t.Fatalf("%d access lines, want 2:\n%s", len(lines), gw.logs.String())
	}
	first := lines[0]
	want := map[string]any{
		"method": "GET", "path": "/tasks/7", "status": float64(200), "bytes": float64(len(body)),
		"request_id": "log-test-1", "upstream": orchestrator.URL,
	}
	for key, value := range want {
		if first[key] != value {
			t.Errorf("access log %s = %v, want %v", key, first[key], value)
		}
	}
	if duration, ok := first["duration_ms"].(float64); !ok || duration < 0 {
		t.Errorf("duration_ms %v", first["duration_ms"])
	}
	if lines[1]["status"] != float64(404) || lines[1]["upstream"] != "" {
		t.Errorf("second line %v, want status 404 and no upstream", lines[1])
	}
}

func mustRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	request, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return request
}

// Many requests at once each get their own upstream answer and request id back (no state
// shared between requests, pooled buffers included).
func TestConcurrentRequestsStayApart(t *testing.T) {
	upstream := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A body larger than one copy buffer, specific to the request.
		fmt.Fprint(w, strings.Repeat(r.URL.Path+";", 4000))
	}))
	gw := startGateway(t, map[string]string{"/tasks": upstream.URL}, gatewaySettings{})
	const workers = 32
	failures := make(chan string, workers)
	for i := 0; i < workers; i++ {
		go func(i int) {
			path := fmt.Sprintf("/tasks/%d", i)
			request, _ := http.NewRequest(http.MethodGet, gw.URL+path, nil)
			request.Header.Set(HeaderRequestID, fmt.Sprintf("req-%d", i))
			response, err := http.DefaultClient.Do(request)
			if err != nil {
				failures <- err.Error()
				return
			}
			defer response.Body.Close()
			body, _ := io.ReadAll(response.Body)
			switch {
			case string(body) != strings.Repeat(path+";", 4000):
				failures <- fmt.Sprintf("%s got a body of %d bytes that is not its own", path, len(body))
			case response.Header.Get(HeaderRequestID) != fmt.Sprintf("req-%d", i):
				failures <- fmt.Sprintf("%s got request id %q", path, response.Header.Get(HeaderRequestID))
			default:
				failures <- ""
			}
		}(i)
	}
	for i := 0; i < workers; i++ {
		if failure := <-failures; failure != "" {
			t.Error(failure)
		}
	}
}
