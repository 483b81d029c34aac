package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestLevelsUseTheContractWordsAndFilter(t *testing.T) {
	var out bytes.Buffer
	logger := New(&out, slog.LevelInfo)
	logger.Debug("hidden")
	logger.Info("one", "k", 1)
	logger.Warn("two")
	logger.Error("three")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var levels []string
	for _, line := range lines {
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		levels = append(levels, record["level"].(string))
	}
	if got := strings.Join(levels, ","); got != "info,warning,error" {
		t.Fatalf("levels %s, want info,warning,error (debug filtered out)", got)
	}
}
