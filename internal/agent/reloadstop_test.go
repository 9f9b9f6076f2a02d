package agent

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestStopDuringReload: SIGTERM while a reload waits for the old sources
// to stop (lines queued for a collector that is down: each tailer waits
// ShutdownTimeout for their acknowledgements) stops the agent without
// starting the new sources, so that its shutdown does not wait for them
// again. Before, the reload started them, and the agent exited about two
// shutdown timeouts after the signal (fresh-user trial 259: 10.4 s with
// the default 5 s).
func TestStopDuringReload(t *testing.T) {
	_, down := listenCollected(t)
	downAddr := down.Addr()
	down.Close()
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	for i := range 20 {
		appendLine(t, audit, patLine(i, 700+i))
	}
	c := newConfig(t, "tcp://"+downAddr, config.Source{Type: "audit", Path: audit})
	var logs syncBuffer
	const shutdown = 2 * time.Second
	a, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: shutdown})
	waitFor(t, "the lines read", 10*time.Second, func() bool { return linesRead(t, a, audit) >= 20 })

	changed := *c // a parameter changed: the sources are stopped and started again
	changed.Detections.Rules = map[string]config.RuleConfig{"sentinel.bruteforce": {Params: map[string]string{"min_count": "5"}}}
	reloaded := make(chan error, 1)
	go func() { reloaded <- a.Reload(context.Background(), &changed) }()
	time.Sleep(shutdown / 4) // the reload waits for the acknowledgements
	start := time.Now()
	stop() // SIGTERM
	took := time.Since(start)
	<-reloaded
	l := logs.String()
	if !strings.Contains(l, "the new configuration is not applied") || strings.Contains(l, "configuration reloaded") {
		t.Errorf("the reload started the new sources after the stop:\n%s", l)
	}
	// The tailers give up on the acknowledgements ShutdownTimeout after
	// the reload began, and the shutdown then waits about a second for
	// the detection alerts; twice the timeout leaves room for a slow
	// machine (before: 8.7 s here, the reload's detection save waiting
	// 5 s more).
	if took > 2*shutdown {
		t.Errorf("the agent stopped %v after the signal, want at most %v", took, 2*shutdown)
	}
}
