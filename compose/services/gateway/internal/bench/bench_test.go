package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var samples []time.Duration
	for i := 1; i <= 100; i++ {
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	summary := Summarize(samples)
	if summary.P50 != 50*time.Millisecond || summary.P99 != 99*time.Millisecond || summary.Count != 100 {
		t.Fatalf("summary %+v, want p50 50ms, p99 99ms, 100 samples", summary)
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Fatalf("one sample: %v", got)
	}
}

func TestRunRejectsDifferingAnswers(t *testing.T) {
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "a") }))
	defer a.Close()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "b") }))
	defer b.Close()
	_, err := Run(context.Background(), Plan{DirectURL: a.URL, GatewayURL: b.URL, Requests: 5, MaxDuration: time.Minute})
	if err == nil || !strings.Contains(err.Error(), b.URL) {
		t.Fatalf("error %v, want one naming %s", err, b.URL)
	}
}

func TestRunCountsBothTargets(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }))
	defer server.Close()
	result, err := Run(context.Background(), Plan{DirectURL: server.URL + "/x", GatewayURL: server.URL + "/y", Warmup: 2, Requests: 20, MaxDuration: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if result.Direct.Count != 20 || result.Gateway.Count != 20 || result.Direct.P50 <= 0 {
		t.Fatalf("result %+v", result)
	}
}
