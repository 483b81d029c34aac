package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kubemap/stack/gateway/internal/routes"
)

// UpstreamStatus is one upstream's line in the /readyz answer.
type UpstreamStatus struct {
	URL      string   `json:"url"`
	Prefixes []string `json:"prefixes"`
	Ready    bool     `json:"ready"`
	Status   int      `json:"status,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// ReadyBody is the /readyz answer; Error is set (contract error shape) when not ready.
type ReadyBody struct {
	Status    string           `json:"status"`
	Upstreams []UpstreamStatus `json:"upstreams"`
	Error     *ErrorDetail     `json:"error,omitempty"`
}

// readiness asks every distinct upstream's /healthz, all at once, within one time budget.
type readiness struct {
	client    *http.Client
	timeout   time.Duration
	upstreams []UpstreamStatus // URL and Prefixes filled; order fixed by prefix
}

func newReadiness(table *routes.Table, timeout time.Duration) *readiness {
	byURL := map[string]int{}
	var upstreams []UpstreamStatus
	for _, route := range table.Routes() {
		key := route.Upstream.String()
		if i, ok := byURL[key]; ok {
			upstreams[i].Prefixes = append(upstreams[i].Prefixes, route.Prefix)
			continue
		}
		byURL[key] = len(upstreams)
		upstreams = append(upstreams, UpstreamStatus{URL: key, Prefixes: []string{route.Prefix}})
	}
	transport := newTransport(timeout)
	transport.MaxIdleConnsPerHost = 2
	return &readiness{
		client: &http.Client{
			Transport: transport,
			Timeout:   timeout,
			// A redirect is not a 2xx answer from the upstream itself.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		timeout:   timeout,
		upstreams: upstreams,
	}
}

func (rd *readiness) check(ctx context.Context) []UpstreamStatus {
	ctx, cancel := context.WithTimeout(ctx, rd.timeout)
	defer cancel()
	results := make([]UpstreamStatus, len(rd.upstreams))
	var wg sync.WaitGroup
	for i, upstream := range rd.upstreams {
		wg.Add(1)
		go func(i int, status UpstreamStatus) {
			defer wg.Done()
			results[i] = rd.probe(ctx, status)
		}(i, upstream)
	}
	wg.Wait()
	return results
}

func (rd *readiness) probe(ctx context.Context, status UpstreamStatus) UpstreamStatus {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, status.URL+"/healthz", nil)
	if err != nil {
		status.Error = err.Error()
		return status
	}
	response, err := rd.client.Do(request)
	if err != nil {
		status.Error = err.Error()
		return status
	}
	defer response.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(response.Body, 64<<10))
	status.Status = response.StatusCode
	status.Ready = response.StatusCode >= 200 && response.StatusCode < 300
	if !status.Ready {
		status.Error = fmt.Sprintf("/healthz answered %d", response.StatusCode)
	}
	return status
}

func (rd *readiness) serve(w http.ResponseWriter, r *http.Request, id string) {
	statuses := rd.check(r.Context())
	var down []string
	for _, status := range statuses {
		if !status.Ready {
			down = append(down, fmt.Sprintf("%s (%s): %s", status.URL, strings.Join(status.Prefixes, ", "), status.Error))
		}
	}
	if len(down) == 0 {
		writeJSON(w, http.StatusOK, ReadyBody{Status: "ready", Upstreams: statuses})
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, ReadyBody{
		Status:    "not_ready",
		Upstreams: statuses,
		Error: &ErrorDetail{
			Code:      CodeNotReady,
			Message:   "upstreams down: " + strings.Join(down, "; "),
			RequestID: id,
		},
	})
}
