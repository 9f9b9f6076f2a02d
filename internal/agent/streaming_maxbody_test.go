package agent

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestStreamingMaxBodyForwardedWhole: with streaming.max_body raised over
// max_line_bytes (as the 413 warning advises), an event the receiver
// answers 200 is forwarded whole, with its columns. Before, the spool's
// reader cut it to max_line_bytes and sent it raw: GitLab does not retry,
// so the rest of the event was lost (fresh-user trial 79).
func TestStreamingMaxBodyForwardedWhole(t *testing.T) {
	got := &messages{}
	col, err := syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	c := newConfig(t, "tcp://"+col.Addr())
	c.Sources = []config.Source{}
	const token = "s3cr3t-token-0123456789"
	url := listenStreaming(t, c, config.Streaming{Tokens: []string{token}, MaxBody: 3 << 20})
	if c.Tailer.MaxLineBytes >= 2<<20 {
		t.Fatalf("max_line_bytes %d: the event must be longer", c.Tailer.MaxLineBytes)
	}
	_, _, stop := runInBackground(t, c, Options{})
	defer stop()

	body := `{"id":9001,"author_id":1,"entity_id":7,"entity_type":"Project","details":{"author_name":"Jane Roe","custom_message":"` +
		strings.Repeat("x", 2<<20) + `"},"author_name":"Jane Roe","entity_path":"tools/builder","created_at":"2026-11-29T06:49:15.213Z","target_type":"Project","target_id":7,"event_type":"project_feature_updated"}`
	var answer string
	waitFor(t, "the streaming receiver", 10*time.Second, func() bool {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("X-Gitlab-Event-Streaming-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answer = resp.Status + " " + string(b)
		return true
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
