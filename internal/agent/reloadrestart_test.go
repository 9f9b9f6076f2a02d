package agent

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestReloadNamesStreamingChangesForRestart: a reload that moves the
// streaming receiver to another port keeps it on the old one until a
// restart, and its warning says which key changed, from what to what
// (fresh-user trial 136: the warning named none, while check showed the
// new address).
func TestReloadNamesStreamingChangesForRestart(t *testing.T) {
	var logs syncBuffer
	url, _, c, a, ctx := runStreamingAgent(t, config.Streaming{}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	waitFor(t, "the receiver", 10*time.Second, func() bool {
		_, err := postStreaming(url, streamingToken, `{"id":1,"event_type":"a","created_at":"2026-12-04T12:00:00.000Z"}`)
		return err == nil
	})

	nc := *c
	old, nu := c.Streaming.Listen, fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t))
	nc.Streaming.Listen = nu
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	want := "changed=\"streaming.listen " + old + "→" + nu + "\""
	if !strings.Contains(logs.String(), want) {
		t.Errorf("the reload's warning lacks %s:\n%s", want, logs.String())
	}
	if strings.Contains(logs.String(), streamingToken) {
		t.Errorf("the log shows the token:\n%s", logs.String())
	}
	if status, err := postStreaming(url, streamingToken, `{"id":2,"event_type":"a","created_at":"2026-12-04T12:00:01.000Z"}`); err != nil || !strings.HasPrefix(status, "200") {
		t.Errorf("the receiver on the old address after the reload: %q, %v; want 200", status, err)
	}
}
