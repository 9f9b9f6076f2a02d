package agent

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestOnceCollectorNeverReached: --once over files with nothing to send,
// to a collector that refuses connections, says the collector was never
// reached and that nothing was lost, not that messages were left
// undelivered (there were none).
func TestOnceCollectorNeverReached(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // a port nothing listens on: connections are refused
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(audit, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "tcp://"+addr, config.Source{Type: "audit", Path: audit})
	var logs syncBuffer
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ExitAtEOF: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatalf("--once returned %v", err)
	}
	out := logs.String()
	if strings.Contains(out, "undelivered") {
		t.Errorf("log says messages were undelivered, but none was sent:\n%s", out)
	}
	if !strings.Contains(out, "the collector was never reached; no message was waiting for it") {
		t.Errorf("log does not say the collector was never reached:\n%s", out)
	}
}
