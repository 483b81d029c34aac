package proxy

import (
	"crypto/rand"
	"fmt"
	"net/http"
)

// HeaderRequestID carries the request id to the upstream and back to the client.
const HeaderRequestID = "X-Request-ID"

const maxRequestIDLength = 128

// requestID keeps a well-formed incoming id (so a trace spans several hops) and otherwise makes
// a new one; a malformed id is replaced rather than forwarded into logs and upstreams.
func requestID(r *http.Request) string {
	if id := r.Header.Get(HeaderRequestID); validRequestID(id) {
		return id
	}
	return newRequestID()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for _, c := range id {
		isAlnum := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if !isAlnum && c != '-' && c != '_' && c != '.' && c != ':' {
			return false
		}
	}
	return true
}

// newRequestID returns a random UUID (version 4).
func newRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
