// Package logging makes the gateway's JSON line logger.
package logging

import (
	"io"
	"log/slog"
)

// levelNames are the level words of compose/CONTRACT.md's LOG_LEVEL, used in every service's
// log lines so one query finds warnings from all of them.
var levelNames = map[slog.Level]string{
	slog.LevelDebug: "debug",
	slog.LevelInfo:  "info",
	slog.LevelWarn:  "warning",
	slog.LevelError: "error",
}

// New returns a logger writing one JSON object per line at level and above.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, attr slog.Attr) slog.Attr {
			if len(groups) == 0 && attr.Key == slog.LevelKey {
				if name, ok := levelNames[attr.Value.Any().(slog.Level)]; ok {
					attr.Value = slog.StringValue(name)
				}
			}
			return attr
		},
	}))
}
