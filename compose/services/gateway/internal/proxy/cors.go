package proxy

import (
	"net/http"
	"strings"
)

// corsPolicy answers browser preflights and marks responses for allowed origins. The gateway is
// the only place that decides CORS, so upstreams' own Access-Control-* headers are dropped.
type corsPolicy struct {
	anyOrigin bool
	origins   map[string]bool
}

const (
	corsAllowMethods  = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
	corsAllowHeaders  = "Accept, Authorization, Content-Type, Last-Event-ID, X-Request-ID"
	corsExposeHeaders = HeaderRequestID
	corsMaxAgeSeconds = "600"
)

func newCORSPolicy(allowed []string) corsPolicy {
	policy := corsPolicy{origins: map[string]bool{}}
	for _, origin := range allowed {
		if origin == "*" {
			policy.anyOrigin = true
		}
		policy.origins[origin] = true
	}
	return policy
}

func (p corsPolicy) allows(origin string) bool {
	return p.anyOrigin || p.origins[origin]
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// markResponse adds the headers a browser needs to read a response from origin.
func (p corsPolicy) markResponse(header http.Header, origin string) {
	header.Set("Access-Control-Allow-Origin", origin)
	header.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	header.Add("Vary", "Origin")
}

// answerPreflight replies to an OPTIONS preflight itself; upstreams never see preflights.
func (p corsPolicy) answerPreflight(w http.ResponseWriter, r *http.Request, id string) {
	origin := r.Header.Get("Origin")
	if !p.allows(origin) {
		writeError(w, http.StatusForbidden, CodeOriginNotAllowed,
			"origin "+origin+" is not in CORS_ALLOWED_ORIGINS", id)
		return
	}
	header := w.Header()
	p.markResponse(header, origin)
	header.Add("Vary", "Access-Control-Request-Method")
	header.Add("Vary", "Access-Control-Request-Headers")
	header.Set("Access-Control-Allow-Methods", corsAllowMethods)
	header.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	header.Set("Access-Control-Max-Age", corsMaxAgeSeconds)
	w.WriteHeader(http.StatusNoContent)
}

func dropUpstreamCORS(header http.Header) {
	for name := range header {
		if strings.HasPrefix(name, "Access-Control-") {
			header.Del(name)
		}
	}
}
