package main

import (
	"io"
	"log/slog"
)

type slogLevel struct {
	name  string
	level slog.Level
}

var levels = []slogLevel{
	{"debug", slog.LevelDebug}, {"info", slog.LevelInfo}, {"warn", slog.LevelWarn}, {"error", slog.LevelError},
}

// newLogger writes structured JSON logs, one object a line.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
