// Package proxy is the gateway's HTTP handler: request ids, CORS, body limit, routing to a
// reverse proxy per upstream, JSON errors, /healthz, /readyz and the JSON access log.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"

	"github.com/kubemap/stack/gateway/internal/routes"
)

// Options configures a Gateway.
type Options struct {
	Routes          *routes.Table
	AllowedOrigins  []string
	MaxBodyBytes    int64
	UpstreamTimeout time.Duration // waiting for the upstream's response headers
	ReadyTimeout    time.Duration // for /readyz; 2 s when zero
	Logger          *slog.Logger
}

// Gateway routes requests to upstreams. It is an http.Handler.
type Gateway struct {
	routes       *routes.Table
	proxies      map[string]*httputil.ReverseProxy // by route prefix
	transport    *http.Transport
	buffers      *bufferPool
	cors         corsPolicy
	maxBodyBytes int64
	readiness    *readiness
	log          *slog.Logger
}

// statusClientClosed is logged when the client went away before an answer (nginx's convention).
const statusClientClosed = 499

// requestState is what the access log learns while the request is handled.
type requestState struct {
	upstream     string
	clientClosed bool
}

type stateKey struct{}

// New builds the gateway.
func New(opts Options) *Gateway {
	readyTimeout := opts.ReadyTimeout
	if readyTimeout <= 0 {
		readyTimeout = 2 * time.Second
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	g := &Gateway{
		routes:       opts.Routes,
		proxies:      map[string]*httputil.ReverseProxy{},
		transport:    newTransport(opts.UpstreamTimeout),
		buffers:      newBufferPool(),
		cors:         newCORSPolicy(opts.AllowedOrigins),
		maxBodyBytes: opts.MaxBodyBytes,
		readiness:    newReadiness(opts.Routes, readyTimeout),
		log:          logger,
	}
	for _, route := range opts.Routes.Routes() {
		g.proxies[route.Prefix] = g.newReverseProxy(route)
	}
	return g
}

// Close drops idle upstream connections.
func (g *Gateway) Close() {
	g.transport.CloseIdleConnections()
	g.readiness.client.CloseIdleConnections()
}

// newTransport makes the upstream transport. Proxy is nil on purpose: upstreams are reached
// directly, never through an HTTP_PROXY from the environment.
func newTransport(responseHeaderTimeout time.Duration) *http.Transport {
	dialTimeout := 5 * time.Second
	if responseHeaderTimeout > 0 && responseHeaderTimeout < dialTimeout {
		dialTimeout = responseHeaderTimeout
	}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   dialTimeout,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: responseHeaderTimeout,
	}
}

func (g *Gateway) newReverseProxy(route routes.Route) *httputil.ReverseProxy {
	target := route.Upstream
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target) // target has no path, so the path goes through unchanged
			// Keep the chain of earlier proxies; SetXForwarded appends the client's address.
			pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
			pr.SetXForwarded()
		},
		Transport:     g.transport,
		BufferPool:    g.buffers,
		FlushInterval: -1, // flush every write: SSE events reach the client as they come
		ModifyResponse: func(response *http.Response) error {
			dropUpstreamCORS(response.Header)
			// The gateway already set the id; an upstream's echo would add a second header line.
			response.Header.Del(HeaderRequestID)
			return nil
		},
		ErrorHandler: g.upstreamError,
		ErrorLog:     slog.NewLogLogger(g.log.Handler(), slog.LevelWarn),
	}
}

// ServeHTTP handles one request and writes one access-log line for it.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID(r)
	r.Header.Set(HeaderRequestID, id)
	w.Header().Set(HeaderRequestID, id)
	recorder := &responseRecorder{ResponseWriter: w}
	state := &requestState{}
	defer g.logAccess(r, recorder, state, id, start)
	g.handle(recorder, r.WithContext(context.WithValue(r.Context(), stateKey{}, state)), id, state)
}

func (g *Gateway) handle(w http.ResponseWriter, r *http.Request, id string, state *requestState) {
	if origin := r.Header.Get("Origin"); origin != "" {
		if isPreflight(r) {
			g.cors.answerPreflight(w, r, id)
			return
		}
		if g.cors.allows(origin) {
			g.cors.markResponse(w.Header(), origin)
		}
	}
	switch r.URL.Path {
	case "/healthz":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	case "/readyz":
		g.readiness.serve(w, r, id)
		return
	}
	if hasDotDotSegment(r.URL.Path) {
		writeError(w, http.StatusBadRequest, CodeBadPath, "path must not contain '..' segments", id)
		return
	}
	route, ok := g.routes.Match(r.URL.Path)
	if !ok {
		writeError(w, http.StatusNotFound, CodeNoRoute, "no route for path "+r.URL.Path, id)
		return
	}
	state.upstream = route.Upstream.String()
	if r.ContentLength > g.maxBodyBytes {
		writeError(w, http.StatusRequestEntityTooLarge, CodePayloadTooLarge, g.tooLargeMessage(), id)
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		// Bodies of unknown length (chunked) are cut here; the proxy's error handler sees the
		// *http.MaxBytesError and answers 413.
		r.Body = http.MaxBytesReader(w, r.Body, g.maxBodyBytes)
	}
	g.proxies[route.Prefix].ServeHTTP(w, r)
}

func (g *Gateway) tooLargeMessage() string {
	return fmt.Sprintf("request body is larger than MAX_BODY_BYTES (%d bytes)", g.maxBodyBytes)
}

// upstreamError turns a failed proxy round trip into the contract's JSON error.
func (g *Gateway) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	id := r.Header.Get(HeaderRequestID)
	state, _ := r.Context().Value(stateKey{}).(*requestState)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, CodePayloadTooLarge, g.tooLargeMessage(), id)
	case r.Context().Err() != nil:
		// The client is gone; nobody reads an answer.
		if state != nil {
			state.clientClosed = true
		}
	case isTimeout(err):
		g.log.Warn("upstream timeout", "request_id", id, "upstream", upstreamOf(state), "error", err.Error())
		writeError(w, http.StatusGatewayTimeout, CodeUpstreamTimeout,
			"upstream "+upstreamOf(state)+" did not answer in time", id)
	default:
		g.log.Warn("upstream unavailable", "request_id", id, "upstream", upstreamOf(state), "error", err.Error())
		writeError(w, http.StatusBadGateway, CodeUpstreamUnavailable,
			"upstream "+upstreamOf(state)+" is unavailable", id)
	}
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}

func upstreamOf(state *requestState) string {
	if state == nil {
		return ""
	}
	return state.upstream
}

func hasDotDotSegment(path string) bool {
	for _, segment := range strings.Split(path, "/") {
		if segment == ".." {
			return true
		}
	}
	return false
}

func (g *Gateway) logAccess(r *http.Request, recorder *responseRecorder, state *requestState, id string, start time.Time) {
	status := recorder.status
	switch {
	case state.clientClosed && status == 0:
		status = statusClientClosed
	case status == 0:
		status = http.StatusOK // the handler wrote nothing: net/http sends 200
	}
	elapsed := time.Since(start)
	g.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", recorder.bytes),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.String("request_id", id),
		slog.String("upstream", state.upstream),
	)
}
