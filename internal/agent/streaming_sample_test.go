package agent

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestStreamingSpoolFirstEventsWarning: when the first events POSTed to
// the streaming receiver are no GitLab audit events, the agent warns
// once about what was POSTed to the receiver and who posts there, naming
// the spool. Before, it gave the spool, which no source names, a source's
// warning ("the first lines read from the file parse as no GitLab log: is it a GitLab
// log?", hint "a source follows one of GitLab's logs ...") (fresh-user
// trial 84).
func TestStreamingSpoolFirstEventsWarning(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string // in the warning
	}{
		{"not a GitLab event", `{"id":1}`, []string{
			`msg="the first events POSTed to the streaming receiver parse as no GitLab audit event: what posts them?"`,
			"first_events=1", "something else posting to the URL", "streaming destination"}},
		{"an application log line", `{"severity":"INFO","time":"2020-01-14T13:35:15.466Z","correlation_id":"3823a1550b64417f9c9ed8ee0f48087e","message":"User \"Administrator\" (admin@example.com) was created"}`, []string{
			`msg="the first events POSTed to the streaming receiver look like GitLab application log lines, not audit events: what posts them?"`,
			"looks_like=application", "something else posting to the URL", "source of type: application instead"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs syslogtest.Buffer
			c := newConfig(t, "stdout://")
			c.Sources = []config.Source{}
			const token = "sample-token-0123456789"
			url := listenStreaming(t, c, config.Streaming{Tokens: []string{token}})
			_, _, stop := runInBackground(t, c, Options{Stdout: io.Discard, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			defer stop()
			var answer string
			waitFor(t, "the streaming receiver", 10*time.Second, func() bool {
				var err error
				answer, err = postStreaming(url, token, tc.body)
				return err == nil
			})
			if !strings.HasPrefix(answer, "200 ") {
				t.Fatalf("POST: %q, want 200", answer)
			}
			warning := func() string {
				for _, l := range strings.Split(logs.String(), "\n") {
					if strings.Contains(l, "level=WARN") && strings.Contains(l, "first") && !strings.Contains(l, "did not parse") {
						return l
					}
				}
				return ""
			}
			waitFor(t, "the warning about the first events", 10*time.Second, func() bool { return warning() != "" })
			w := warning()
			for _, s := range append(tc.want, "spool="+c.StateDir, "APP-NAME GitLab-Audit-Logs") {
				if !strings.Contains(w, s) {
					t.Errorf("warning %s\ndoes not say %q", w, s)
				}
			}
			for _, s := range []string{"a source follows", "is it a GitLab log", "is the source's type right"} {
				if strings.Contains(w, s) {
					t.Errorf("warning %s\nsays %q: the spool is no configured source", w, s)
				}
			}
		})
	}
}
