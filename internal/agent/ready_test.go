package agent

import (
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestReadyWhileCollectorDown: with the collector down, an agent that
// receives Audit Event Streaming still takes and spools GitLab's events:
// Health reports the stalled collector, Ready (/readyz, for a load
// balancer in front of receivers) does not, so that a balancer keeps the
// receiver rather than refusing GitLab's events, which it does not retry
// (fresh-user trial 283: /healthz, the only probe, answered 503).
func TestReadyWhileCollectorDown(t *testing.T) {
	col, err := syslogtest.Listen("127.0.0.1:0", func([]byte) {})
	if err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "tcp://"+col.Addr())
	col.Close() // down from the start
	c.Sources = []config.Source{}
	url := listenStreaming(t, c, config.Streaming{Tokens: []string{streamingToken}})
	a, _, stop := runInBackground(t, c, Options{StallLimit: 500 * time.Millisecond})
	defer stop()
	body := `{"id":42,"author_id":1,"entity_id":7,"entity_type":"Project","created_at":"2026-12-07T10:00:00.000Z","event_type":"project_feature_visibility_level_updated","details":{"author_name":"Jane Roe"}}`
	var answer string
	waitFor(t, "the receiver to answer", 10*time.Second, func() bool {
		answer, err = postStreaming(url, streamingToken, body, "Content-Type", "application/json")
		return err == nil // refused until it listens
	})
	if !strings.HasPrefix(answer, "200 ") {
		t.Fatalf("post with the collector down: %q; want it spooled", answer)
	}
	waitFor(t, "Health to report the collector", 10*time.Second, func() bool { return a.Health() != nil })
	if err := a.Health(); !strings.Contains(err.Error(), "forwarder: nothing acknowledged") {
		t.Errorf("Health: %v, want the stalled collector", err)
	}
	if err := a.Ready(); err != nil {
		t.Errorf("Ready with the collector down: %v, want nil: the receiver spools what it takes", err)
	}
}
