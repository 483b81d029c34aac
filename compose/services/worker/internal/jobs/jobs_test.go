package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func raws(items ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(items))
	for i, s := range items {
		out[i] = json.RawMessage(s)
	}
	return out
}

const story = "Go is fast. Redis streams are reliable. Redis streams and Go workers process jobs. The weather is nice."

func TestRunKinds(t *testing.T) {
	tests := []struct {
		name, kind, payload string
		deps                []json.RawMessage
		want                string
	}{
		{"wordcount", "wordcount", `{"text":"hello world\nsecond line\n"}`, nil, `{"words":4,"lines":2,"chars":24}`},
		{"wordcount empty", "wordcount", `{"text":""}`, nil, `{"words":0,"lines":0,"chars":0}`},
		{"wordcount unicode crlf", "wordcount", `{"text":"héllo\r\nwörld  x"}`, nil, `{"words":3,"lines":2,"chars":15}`},
		{"sha256 empty", "sha256", `{"text":""}`, nil, `{"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}`},
		{"sha256 abc", "sha256", `{"text":"abc"}`, nil, `{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}`},
		{"keywords ties alphabetical", "keywords", `{"text":"the cat and the dog. The cat! a bird, dog's 42 x","top":3}`, nil, `{"keywords":["cat","bird","dog"]}`},
		{"keywords default top 5", "keywords", `{"text":"` + story + `"}`, nil, `{"keywords":["go","redis","streams","fast","jobs"]}`},
		{"keywords no content words", "keywords", `{"text":"the and of"}`, nil, `{"keywords":[]}`},
		{"summarize default 2", "summarize", `{"text":"` + story + `"}`, nil, `{"summary":"Redis streams are reliable. Redis streams and Go workers process jobs."}`},
		{"summarize 1", "summarize", `{"text":"` + story + `","sentences":1}`, nil, `{"summary":"Redis streams and Go workers process jobs."}`},
		{"summarize keeps original order", "summarize", `{"text":"` + story + `","sentences":3}`, nil, `{"summary":"Go is fast. Redis streams are reliable. Redis streams and Go workers process jobs."}`},
		{"summarize short text", "summarize", `{"text":"  Only   one.  "}`, nil, `{"summary":"Only one."}`},
		{"aggregate", "aggregate", `{}`, raws(`{"words":3,"lines":1,"chars":10}`, `{"summary":"A."}`, `{"keywords":["x","y","z"]}`, `{"words":4,"lines":1,"chars":9}`, `{"summary":"B."}`, `{"keywords":["y","w"]}`), `{"words":7,"summary":"A. B.","keywords":["y","x","w","z"],"parts":6}`},
		{"aggregate of nothing", "aggregate", `{}`, nil, `{"words":0,"summary":"","keywords":[],"parts":0}`},
		{"sleep", "sleep", `{"seconds":0.01}`, nil, `{"slept":0.01}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Runner{}.Run(context.Background(), tt.kind, Input{Payload: json.RawMessage(tt.payload), Dependencies: tt.deps})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	tests := []struct {
		name, kind, payload string
		deps                []json.RawMessage
		wantErr             string
	}{
		{"unknown kind", "translate", `{}`, nil, `unknown job kind "translate"`},
		{"missing text", "wordcount", `{}`, nil, "payload.text is required"},
		{"text not a string", "sha256", `{"text":3}`, nil, "payload is not valid"},
		{"unknown field", "keywords", `{"text":"a","topp":3}`, nil, `unknown field "topp"`},
		{"top zero", "keywords", `{"text":"a","top":0}`, nil, "payload.top must be at least 1"},
		{"sentences negative", "summarize", `{"text":"a","sentences":-1}`, nil, "payload.sentences must be at least 1"},
		{"sleep missing", "sleep", `{}`, nil, "payload.seconds is required"},
		{"sleep negative", "sleep", `{"seconds":-1}`, nil, "payload.seconds is required"},
		{"aggregate bad dependency", "aggregate", `{}`, raws(`[1,2]`), "dependency output 0 is not a result object"},
		{"llm without prompt", "llm", `{}`, nil, "payload.prompt is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Runner{}.Run(context.Background(), tt.kind, Input{Payload: json.RawMessage(tt.payload), Dependencies: tt.deps})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	_, err := Runner{}.Run(context.Background(), "nope", Input{})
	if !errors.Is(err, ErrUnknownKind) {
		t.Fatalf("unknown kind error is not ErrUnknownKind: %v", err)
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two!  Three?\n\nFour\nfive", []string{"One.", "Two!", "Three?", "Four five"}},
		{"Pi is 3.14 roughly. Yes", []string{"Pi is 3.14 roughly.", "Yes"}},
		{"", nil},
		{" \n\n ", nil},
	}
	for _, tt := range tests {
		if got := Sentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokens(t *testing.T) {
	got := Tokens("Don’t STOP: it's 'quoted' co-op 42")
	want := []string{"don't", "stop", "it's", "quoted", "co", "op", "42"}
	if !slices.Equal(got, want) {
		t.Fatalf("Tokens = %q, want %q", got, want)
	}
}

func TestSleepStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Runner{}.Run(ctx, "sleep", Input{Payload: json.RawMessage(`{"seconds":3600}`)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	// An hour-long sleep that returns with the context's error stopped with its context (one that
	// ignored it would outlast go test's timeout and fail there). How soon is not asserted: that
	// depends on the machine's load.
	t.Logf("returned after %s", time.Since(start))
}

// chatStandIn is a local HTTP server standing in for the chat service (built elsewhere): it
// checks the request shape of CONTRACT.md and answers like POST /chat does.
func chatStandIn(t *testing.T, status int, reply string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/chat" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		}
		var req struct {
			Messages []chatMessage `json:"messages"`
		}
		if err := json.Unmarshal(body, &req); err != nil || len(req.Messages) != 1 ||
			req.Messages[0].Role != "user" || req.Messages[0].Content != "Say hi" {
			t.Errorf("unexpected body %s", body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLLMAsksChatService(t *testing.T) {
	srv := chatStandIn(t, 200, `{"conversation_id":"c1","message":{"role":"assistant","content":"hi there"},"provider":"local"}`)
	got, err := Runner{Chat: NewChatClient(srv.URL)}.Run(context.Background(), "llm", Input{Payload: json.RawMessage(`{"prompt":"Say hi"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"text":"hi there"}` {
		t.Fatalf("got %s", got)
	}
}

func TestLLMReportsChatErrors(t *testing.T) {
	for _, tc := range []struct {
		status     int
		body, want string
	}{
		{500, `{"error":{"code":"boom"}}`, "chat service answered 500"},
		{200, `{"nothing":true}`, "reply has no message"},
	} {
		srv := chatStandIn(t, tc.status, tc.body)
		_, err := Runner{Chat: NewChatClient(srv.URL)}.Run(context.Background(), "llm", Input{Payload: json.RawMessage(`{"prompt":"Say hi"}`)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("error = %v, want %q", err, tc.want)
		}
	}
}
