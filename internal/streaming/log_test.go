package streaming

import (
	"log/slog"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

func newTestLogger(w *syslogtest.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
