package proxy

import (
	"encoding/json"
	"net/http"
)

// Error codes in the JSON error body (format fixed by compose/CONTRACT.md).
const (
	CodeNoRoute             = "no_route"
	CodeBadPath             = "bad_path"
	CodePayloadTooLarge     = "payload_too_large"
	CodeUpstreamUnavailable = "upstream_unavailable"
	CodeUpstreamTimeout     = "upstream_timeout"
	CodeOriginNotAllowed    = "cors_origin_not_allowed"
	CodeNotReady            = "not_ready"
)

// ErrorBody is the contract's error shape: {"error": {"code", "message", "request_id"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong and which request it was.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

func writeError(w http.ResponseWriter, status int, code, message, requestID string) {
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: message, RequestID: requestID}})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	payload, err := json.Marshal(body)
	if err != nil {
		// Only plain structs of strings reach here; a failure is a programming error.
		panic(err)
	}
	header := w.Header()
	header.Set("Content-Type", "application/json")
	header.Set("X-Content-Type-Options", "nosniff")
	header.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(append(payload, '\n'))
}
