// Package logx builds the JSON line logger every service of the stack uses (CONTRACT.md: LOG_LEVEL).
package logx

import (
	"io"
	"log/slog"
)

// New returns a JSON logger at the contract's level name (debug, info, warning, error).
func New(w io.Writer, level string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: Level(level)}))
}

// Level maps the contract's level names onto slog's; unknown names mean info.
func Level(name string) slog.Level {
	switch name {
	case "debug":
		return slog.LevelDebug
	case "warning", "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}
