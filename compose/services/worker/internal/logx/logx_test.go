package logx

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestNewWritesJSONAtLevel(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "warning")
	log.Info("hidden")
	log.Warn("shown", "job_id", "j1")
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 1 {
		t.Fatalf("want 1 line, got %q", buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal(lines[0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec["msg"] != "shown" || rec["level"] != "WARN" || rec["job_id"] != "j1" {
		t.Fatalf("record %v", rec)
	}
}
