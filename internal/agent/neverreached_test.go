package agent

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
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
	if !strings.Contains(out, "the collector was never reached in this run; no message was waiting for it") {
		t.Errorf("log does not say the collector was never reached:\n%s", out)
	}
}

// TestCollectorLostNotNeverReached: a daemon whose collector (a RELP
// input, which answers each message once spooled) took its messages and
// then stopped, stopped while it waits to reconnect, says the collector
// was not reachable at shutdown after it had been reached, with the
// messages delivered, and that nothing is lost; never that it was never
// reached (fresh-user trial 83: rsyslog's imrelp stopped after 100
// messages, and the agent's last word was "the collector was never
// reached").
func TestCollectorLostNotNeverReached(t *testing.T) {
	srv, err := inputs.Listen(inputs.Config{Listen: "relp://127.0.0.1:0", SpoolDir: t.TempDir(), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	sctx, stopCollector := context.WithCancel(context.Background())
	defer stopCollector()
	served := make(chan error, 1)
	go func() { served <- srv.Run(sctx) }()
	url := "relp://" + srv.Addr().String()

	audit := filepath.Join(t.TempDir(), "audit_json.log")
	line := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","target_id":1,"target_type":"User","target_details":"Administrator"}` + "\n"
	if err := os.WriteFile(audit, []byte(strings.Repeat(line, 3)), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, url, config.Source{Type: "audit", Path: audit})
	var logs syncBuffer
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	waitFor(t, "3 messages delivered to the collector", 20*time.Second, func() bool { return a.forwarderStats().Sent == 3 })
	if got := srv.Stats().Messages; got != 3 {
		t.Fatalf("the collector spooled %d messages, want 3", got)
	}
	stopCollector()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the agent to lose the collector", 20*time.Second, func() bool {
		return strings.Contains(logs.String(), "forwarder: connection failed, reconnecting")
	})
	cancel()
	if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v\nlogs:\n%s", err, logs.String())
	}
	out := logs.String()
	if strings.Contains(out, "never reached") {
		t.Errorf("log says the collector was never reached, but it took 3 messages:\n%s", out)
	}
	for _, want := range []string{
		`msg="the collector was not reachable at shutdown, after it had been reached in this run; no message was waiting for it, so nothing is lost" url=` + url + " delivered=3",
		"(3 messages delivered)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "undelivered") {
		t.Errorf("log says messages were undelivered, but all 3 were delivered:\n%s", out)
	}
}
