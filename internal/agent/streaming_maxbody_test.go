package agent

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestStreamingMaxBodyForwardedWhole: with streaming.max_body raised over
// max_line_bytes, and forward.max_stream_message_bytes with it (as the 413
// warning advises), an event the receiver answers 200 is forwarded whole,
// with its columns. Before, the spool's reader cut it to max_line_bytes and
// sent it raw: GitLab does not retry, so the rest of the event was lost
// (fresh-user trial 79).
func TestStreamingMaxBodyForwardedWhole(t *testing.T) {
	url, got, c := startStreamingAgent(t, config.Streaming{MaxBody: 3 << 20}, func(c *config.Config) { c.Forward.MaxStreamMessage = 8 << 20 })
	if c.Tailer.MaxLineBytes >= 2<<20 {
		t.Fatalf("max_line_bytes %d: the event must be longer", c.Tailer.MaxLineBytes)
	}

	body := `{"id":9001,"author_id":1,"entity_id":7,"entity_type":"Project","details":{"author_name":"Jane Roe","custom_message":"` +
		strings.Repeat("x", 2<<20) + `"},"author_name":"Jane Roe","entity_path":"tools/builder","created_at":"2026-11-29T06:49:15.213Z","target_type":"Project","target_id":7,"event_type":"project_feature_updated"}`
	var answer string
	waitFor(t, "the streaming receiver", 10*time.Second, func() bool {
		var err error
		answer, err = postStreaming(url, streamingToken, body)
		return err == nil
	})
	if answer != "200 OK ok\n" {
		t.Fatalf("answered %q, want 200 ok", answer)
	}
	ms := got.wait(t, 1)
	if len(ms) != 1 {
		t.Fatalf("%d messages forwarded, want 1", len(ms))
	}
	if m := ms[0]; len(m.Msg) != len(body) || !bytes.Contains(m.SD, []byte(`AuthorName="Jane Roe"`)) {
		t.Errorf("MSG of %d bytes (want %d), SD %.200q: want the event whole, with its columns", len(m.Msg), len(body), m.SD)
	}
}
