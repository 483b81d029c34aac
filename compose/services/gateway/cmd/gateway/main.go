// Command gateway is the stack's API gateway: `gateway` (or `gateway serve`) runs the reverse
// proxy; `gateway healthcheck` asks a running gateway's /healthz (the container health check,
// since the image has no curl).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/kubemap/stack/gateway/internal/config"
	"github.com/kubemap/stack/gateway/internal/logging"
	"github.com/kubemap/stack/gateway/internal/proxy"
	"github.com/kubemap/stack/gateway/internal/routes"
)

// Exit codes: 0 ok, 1 runtime failure (or unhealthy), 2 bad configuration or usage.
const (
	exitOK        = 0
	exitFailure   = 1
	exitBadConfig = 2
)

const usage = `usage: gateway [serve | healthcheck]
  serve        run the gateway (the default)
  healthcheck  exit 0 when http://127.0.0.1:$PORT/healthz answers 2xx, else 1
configuration: environment variables PORT, GATEWAY_ROUTES_FILE, CORS_ALLOWED_ORIGINS,
MAX_BODY_BYTES, UPSTREAM_TIMEOUT_SECONDS, LOG_LEVEL (see compose/CONTRACT.md)
`

// Server timeouts. No WriteTimeout and no ReadTimeout: either would cut long SSE streams
// (ReadTimeout cancels the request context once the body is read); the upstream response
// header timeout and the body size limit bound the rest.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 1 << 20
	shutdownGrace     = 20 * time.Second
	healthcheckWait   = 3 * time.Second
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	command := "serve"
	if len(args) > 0 {
		command = args[0]
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "gateway: unexpected arguments %q\n%s", args[1:], usage)
		return exitBadConfig
	}
	switch command {
	case "serve":
		return serve(stdout, stderr)
	case "healthcheck":
		return healthcheck(stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "gateway: unknown command %q\n%s", command, usage)
	return exitBadConfig
}

func serve(stdout, stderr io.Writer) int {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitBadConfig
	}
	table, err := routes.Load(cfg.RoutesFile, os.LookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitBadConfig
	}
	logger := logging.New(stdout, cfg.LogLevel)
	gateway := proxy.New(proxy.Options{
		Routes:          table,
		AllowedOrigins:  cfg.AllowedOrigins,
		MaxBodyBytes:    cfg.MaxBodyBytes,
		UpstreamTimeout: cfg.UpstreamTimeout,
		Logger:          logger,
	})
	defer gateway.Close()

	address := ":" + strconv.Itoa(cfg.Port)
	listener, err := net.Listen("tcp", address)
	if err != nil {
		fmt.Fprintf(stderr, "gateway: cannot listen on %s: %v\n", address, err)
		return exitFailure
	}
	server := &http.Server{
		Handler:           gateway,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	for _, route := range table.Routes() {
		logger.Info("route", "prefix", route.Prefix, "upstream", route.Upstream.String())
	}
	logger.Info("listening", "address", listener.Addr().String())

	select {
	case err := <-served:
		logger.Error("server stopped", "error", err.Error())
		return exitFailure
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace_seconds", shutdownGrace.Seconds())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		// Open streams outlived the grace period: cut them.
		logger.Warn("forced shutdown", "error", err.Error())
		_ = server.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("server stopped", "error", err.Error())
		return exitFailure
	}
	logger.Info("stopped")
	return exitOK
}

// healthcheck exits 0 or 1 only: Docker reserves exit code 2 in health checks.
func healthcheck(stderr io.Writer) int {
	port, err := config.Port(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "gateway healthcheck: %v\n", err)
		return exitFailure
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
	client := &http.Client{Timeout: healthcheckWait, Transport: &http.Transport{Proxy: nil}}
	response, err := client.Get(url)
	if err != nil {
		fmt.Fprintf(stderr, "gateway healthcheck: %s: %v\n", url, err)
		return exitFailure
	}
	defer response.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(response.Body, 64<<10))
	if response.StatusCode < 200 || response.StatusCode > 299 {
		fmt.Fprintf(stderr, "gateway healthcheck: %s answered %d\n", url, response.StatusCode)
		return exitFailure
	}
	return exitOK
}
