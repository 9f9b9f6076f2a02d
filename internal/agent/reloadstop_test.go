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
	t.Run("rule changed", func(t *testing.T) { testStopDuringReload(t, false) })
	// The reload also closes the old forwarder, which waits for the
	// collector too (fresh-user trial 262).
	t.Run("destination changed", func(t *testing.T) { testStopDuringReload(t, true) })
}

func testStopDuringReload(t *testing.T, newDest bool) {
	_, down := listenCollected(t)
	downAddr := down.Addr()
	down.Close()
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	for i := range 20 {
		appendLine(t, audit, patLine(i, 700+i))
	}
	c := newConfig(t, "tcp://"+downAddr, config.Source{Type: "audit", Path: audit})
	var logs syncBuffer
	const shutdown = 4 * time.Second
	a, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: shutdown})
	waitFor(t, "the lines read", 10*time.Second, func() bool { return linesRead(t, a, audit) >= 20 })

	changed := *c // a parameter changed: the sources are stopped and started again
	changed.Detections.Rules = map[string]config.RuleConfig{"sentinel.bruteforce": {Params: map[string]string{"min_count": "5"}}}
	if newDest {
		_, other := listenCollected(t)
		changed.Forward.URL = "tcp://" + other.Addr()
		other.Close()
	}
	reloaded := make(chan error, 1)
	go func() { reloaded <- a.Reload(context.Background(), &changed) }()
	time.Sleep(shutdown / 4) // the reload waits for the acknowledgements
	start := time.Now()
	stop() // SIGTERM
	took := time.Since(start)
	<-reloaded
	l := logs.String()
	// The signal is acknowledged at once (fresh-user trial 270: nothing
	// for 5 s), before the old sources' stop ends.
	if i, j := strings.Index(l, "stopping (SIGINT or SIGTERM) during a reload"), strings.Index(l, "reload: stopping (SIGINT or SIGTERM) while the old sources stopped"); i < 0 || j >= 0 && j < i {
		t.Errorf("the stop during the reload was not logged when it came:\n%s", l)
	}
	if !strings.Contains(l, "the new configuration is not applied") || strings.Contains(l, "configuration reloaded") {
		t.Errorf("the reload started the new sources after the stop:\n%s", l)
	}
	// The waits for the collector end ShutdownTimeout after the signal
	// (here the detection alerts' wait, shutdownSaveWait, ends within it
	// too); half a second more leaves room for a slow machine. Before,
	// the shutdown's waits got a timeout of their own after the reload's
	// (fresh-user trial 262: 7.7 s with the default 5 s; 5 s here), and
	// before that the reload's detection save waited a timeout more.
	if limit := shutdown + 500*time.Millisecond; took > limit {
		t.Errorf("the agent stopped %v after the signal, want at most %v", took, limit)
	}
	t.Logf("stopped %v after the signal", took)
	// The old forwarder, closed by the reload, is not reported again by
	// the shutdown (fresh-user trial 262: its undelivered messages were
	// logged twice, as read again by the new sources, then at the next
	// start).
	if n := strings.Count(l, "forwarder closed with undelivered messages"); n > 1 {
		t.Errorf("the undelivered messages of one forwarder were logged %d times:\n%s", n, l)
	}
}
