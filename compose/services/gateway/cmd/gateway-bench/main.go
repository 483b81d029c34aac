// Command gateway-bench compares GET latency through the gateway with GET directly to the
// upstream (issue 4's benchmark). With no URLs it hosts both on loopback itself: an upstream
// serving a fixed task JSON and a gateway in front of it. With -direct and -via it measures a
// running stack (e.g. GET /tasks/{id} on the orchestrator and on the gateway).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/kubemap/stack/gateway/internal/bench"
	"github.com/kubemap/stack/gateway/internal/logging"
	"github.com/kubemap/stack/gateway/internal/proxy"
	"github.com/kubemap/stack/gateway/internal/routes"
)

const goalRatio = 1.20 // issue 4: the gateway adds under 20% at p50

// fixedTask is what the loopback upstream serves: the shape of GET /tasks/{id}.
const fixedTask = `{"id":"6f1c1f0e-2f59-4c1e-9d55-0c2b7f3f2a10","goal":"count words","input":"",` +
	`"status":"done","created_at":"2026-01-01T00:00:00Z","started_at":"2026-01-01T00:00:01Z",` +
	`"finished_at":"2026-01-01T00:00:02Z","jobs":[{"id":"0b9d1c52-6a43-4b9a-8f0e-5d1c2e3f4a5b",` +
	`"kind":"wordcount","status":"done","depends_on":[],"attempts":1,"result":{"words":2,"lines":1,"chars":11},"error":null}]}`

func main() {
	os.Exit(run())
}

func run() int {
	requests := flag.Int("requests", 2000, "measured requests per target")
	warmup := flag.Int("warmup", 200, "unmeasured requests per target first")
	maxSeconds := flag.Int("max-seconds", 60, "stop measuring after this many seconds")
	direct := flag.String("direct", "", "URL straight to the upstream (with -via: measure a running stack)")
	via := flag.String("via", "", "the same resource through the gateway")
	upstreamDelay := flag.Duration("upstream-delay", 0, "self-hosted upstream: time it takes to answer (models a real handler)")
	flag.Parse()
	if (*direct == "") != (*via == "") || *requests < 1 || *warmup < 0 || *maxSeconds < 1 {
		fmt.Fprintln(os.Stderr, "gateway-bench: give both -direct and -via or neither; -requests and -max-seconds must be positive")
		return 2
	}
	plan := bench.Plan{DirectURL: *direct, GatewayURL: *via, Warmup: *warmup, Requests: *requests,
		MaxDuration: time.Duration(*maxSeconds) * time.Second}
	description := "running stack"
	if *direct == "" {
		stop, err := hostLoopbackPair(&plan, *upstreamDelay)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gateway-bench: %v\n", err)
			return 1
		}
		defer stop()
		description = fmt.Sprintf("loopback upstream with fixed JSON, upstream delay %v", *upstreamDelay)
	}
	result, err := bench.Run(context.Background(), plan)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gateway-bench: %v\n", err)
		return 1
	}
	report(description, plan, result)
	return 0
}

func report(description string, plan bench.Plan, result bench.Result) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }
	fmt.Printf("gateway benchmark: %s; sequential keep-alive GETs, %d measured per target\n", description, result.Direct.Count)
	fmt.Printf("  direct   %-50s p50 %s  p99 %s\n", plan.DirectURL, ms(result.Direct.P50), ms(result.Direct.P99))
	fmt.Printf("  gateway  %-50s p50 %s  p99 %s\n", plan.GatewayURL, ms(result.Gateway.P50), ms(result.Gateway.P99))
	verdict := "met"
	if result.RatioP50() >= goalRatio {
		verdict = "not met"
	}
	fmt.Printf("  overhead at p50: +%s, ratio %.2f (goal < %.2f: %s)\n",
		ms(result.Gateway.P50-result.Direct.P50), result.RatioP50(), goalRatio, verdict)
}

// hostLoopbackPair starts the fixed-JSON upstream and a gateway routing /tasks to it.
func hostLoopbackPair(plan *bench.Plan, delay time.Duration) (func(), error) {
	upstream, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delay > 0 {
			time.Sleep(delay)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, fixedTask)
	}))
	if err != nil {
		return nil, err
	}
	table, err := routes.Parse("bench-routes.yaml", []byte("routes:\n  - prefix: /tasks\n    upstream: ${BENCH_UPSTREAM}\n"),
		func(key string) (string, bool) { return "http://" + upstream.addr, key == "BENCH_UPSTREAM" })
	if err != nil {
		upstream.close()
		return nil, err
	}
	// The access log is encoded as in production but thrown away, so its cost is counted
	// without terminal I/O.
	gw := proxy.New(proxy.Options{
		Routes: table, AllowedOrigins: []string{"http://localhost:3000"}, MaxBodyBytes: 1 << 20,
		UpstreamTimeout: 30 * time.Second, Logger: logging.New(io.Discard, slog.LevelInfo),
	})
	gateway, err := serve(gw)
	if err != nil {
		upstream.close()
		return nil, err
	}
	plan.DirectURL = "http://" + upstream.addr + "/tasks/6f1c1f0e-2f59-4c1e-9d55-0c2b7f3f2a10"
	plan.GatewayURL = "http://" + gateway.addr + "/tasks/6f1c1f0e-2f59-4c1e-9d55-0c2b7f3f2a10"
	return func() {
		gateway.close()
		gw.Close()
		upstream.close()
	}, nil
}

type loopbackServer struct {
	addr  string
	close func()
}

func serve(handler http.Handler) (loopbackServer, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return loopbackServer{}, err
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "gateway-bench: server: %v\n", err)
		}
	}()
	return loopbackServer{addr: listener.Addr().String(), close: func() { _ = server.Close() }}, nil
}
