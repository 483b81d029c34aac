// Package jobs runs one job kind of CONTRACT.md: payload JSON in, output JSON out. Every kind but
// llm (which asks the chat service) and sleep (which waits) is a pure function of its input.
package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrUnknownKind marks a job whose kind this worker does not implement.
var ErrUnknownKind = errors.New("unknown job kind")

// Input is what a job sees: its payload and, for aggregate, the outputs of its dependencies in
// depends_on order.
type Input struct {
	Payload      json.RawMessage
	Dependencies []json.RawMessage
}

// Runner dispatches a job to its kind. Chat is only needed for llm jobs.
type Runner struct {
	Chat *ChatClient
}

// NeedsDependencies reports whether a kind reads its dependencies' outputs, so the caller loads
// them only when they are used.
func NeedsDependencies(kind string) bool { return kind == "aggregate" }

// Run executes one job and returns its output as JSON.
func (r Runner) Run(ctx context.Context, kind string, in Input) (json.RawMessage, error) {
	var out any
	var err error
	switch kind {
	case "wordcount":
		out, err = runWordCount(in.Payload)
	case "summarize":
		out, err = runSummarize(in.Payload)
	case "keywords":
		out, err = runKeywords(in.Payload)
	case "sha256":
		out, err = runSHA256(in.Payload)
	case "aggregate":
		out, err = Aggregate(in.Dependencies)
	case "llm":
		out, err = r.runLLM(ctx, in.Payload)
	case "sleep":
		out, err = runSleep(ctx, in.Payload)
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s job: %w", kind, err)
	}
	return json.Marshal(out)
}

// decodePayload reads a payload object strictly, so a typo in a field name is an error rather
// than a silently ignored setting. An empty payload means {}.
func decodePayload(raw json.RawMessage, into any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("payload is not valid: %w", err)
	}
	return nil
}

// requireText is shared by the text kinds: payload.text must be present and a string.
func requireText(text *string) (string, error) {
	if text == nil {
		return "", errors.New(`payload.text is required (a string)`)
	}
	return *text, nil
}
