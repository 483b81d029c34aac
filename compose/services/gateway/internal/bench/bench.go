// Package bench measures GET latency directly against an upstream and through the gateway,
// alternating the two so drift on a shared machine hits both alike.
package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"time"
)

// Summary is the latency distribution of one target.
type Summary struct {
	Count int
	P50   time.Duration
	P99   time.Duration
}

// Result compares the two targets.
type Result struct {
	Direct, Gateway Summary
}

// RatioP50 is gateway p50 / direct p50 (1.0 means no overhead).
func (r Result) RatioP50() float64 {
	return float64(r.Gateway.P50) / float64(r.Direct.P50)
}

// Plan bounds a run in count and time.
type Plan struct {
	DirectURL, GatewayURL string
	Warmup, Requests      int
	MaxDuration           time.Duration
}

// Run measures both URLs one after the other per iteration, up to Requests each or until
// MaxDuration has passed, whichever comes first. Both must answer 200 with the same body.
func Run(ctx context.Context, plan Plan) (Result, error) {
	client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	reference, err := fetch(ctx, client, plan.DirectURL)
	if err != nil {
		return Result{}, fmt.Errorf("direct %s: %w", plan.DirectURL, err)
	}
	check := func(url string) (time.Duration, error) {
		start := time.Now()
		body, err := fetch(ctx, client, url)
		elapsed := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", url, err)
		}
		if !bytes.Equal(body, reference) {
			return 0, fmt.Errorf("%s answered %q, the direct URL %q", url, body, reference)
		}
		return elapsed, nil
	}
	for i := 0; i < plan.Warmup; i++ {
		for _, url := range []string{plan.DirectURL, plan.GatewayURL} {
			if _, err := check(url); err != nil {
				return Result{}, err
			}
		}
	}
	deadline := time.Now().Add(plan.MaxDuration)
	direct := make([]time.Duration, 0, plan.Requests)
	gateway := make([]time.Duration, 0, plan.Requests)
	for i := 0; i < plan.Requests && time.Now().Before(deadline); i++ {
		// Alternate which goes first so neither always gets the warmer connection.
		order := []string{plan.DirectURL, plan.GatewayURL}
		if i%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, url := range order {
			elapsed, err := check(url)
			if err != nil {
				return Result{}, err
			}
			if url == plan.DirectURL {
				direct = append(direct, elapsed)
			} else {
				gateway = append(gateway, elapsed)
			}
		}
	}
	if len(direct) == 0 {
		return Result{}, errors.New("no request finished within the time bound")
	}
	return Result{Direct: Summarize(direct), Gateway: Summarize(gateway)}, nil
}

func fetch(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	response, err := client.Do(request)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		return nil, err
	}
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", response.StatusCode, body)
	}
	return body, nil
}

// Summarize returns the count and nearest-rank p50 and p99 of samples.
func Summarize(samples []time.Duration) Summary {
	sorted := append([]time.Duration(nil), samples...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
	return Summary{Count: len(sorted), P50: Percentile(sorted, 50), P99: Percentile(sorted, 99)}
}

// Percentile is the nearest-rank percentile of sorted samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}
