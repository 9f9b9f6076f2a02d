package agent

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestStreamingSharedIDForwarded posts two different repository_git_operation
// events that an older GitLab gave the same id (issue 10) to the agent's
// receiver, as GitLab does, and checks that both reach the syslog collector,
// each with its own body as MSG; a redelivery of the first is not forwarded
// again.
func TestStreamingSharedIDForwarded(t *testing.T) {
	bodies := []string{
		`{"id":1653461355,"author_id":1,"entity_id":7,"entity_type":"Project","details":{"author_name":"Jane Roe","target_type":"Project","target_details":"tools/builder","custom_message":{"protocol":"http","action":"git-upload-pack"},"ip_address":"192.0.2.10","entity_path":"tools/builder"},"ip_address":"192.0.2.10","author_name":"Jane Roe","entity_path":"tools/builder","target_details":"tools/builder","created_at":"2022-05-25T06:49:15.213Z","target_type":"Project","target_id":7,"event_type":"repository_git_operation"}`,
		`{"id":1653461355,"author_id":4,"entity_id":9,"entity_type":"Project","details":{"author_name":"ci-bot","target_type":"Project","target_details":"ops/vault","custom_message":{"protocol":"http","action":"git-upload-pack"},"ip_address":"198.51.100.77","entity_path":"ops/vault"},"ip_address":"198.51.100.77","author_name":"ci-bot","entity_path":"ops/vault","target_details":"ops/vault","created_at":"2022-05-25T06:49:15.871Z","target_type":"Project","target_id":9,"event_type":"repository_git_operation"}`,
	}
	url, got, _ := startStreamingAgent(t, config.Streaming{})
	const token = streamingToken

	post := func(body string) (string, error) {
		return postStreaming(url, token, body, "Content-Type", "application/x-www-form-urlencoded", "X-Gitlab-Audit-Event-Type", "repository_git_operation")
	}
	waitFor(t, "the streaming receiver", 10*time.Second, func() bool {
		_, err := post(bodies[0])
		return err == nil
	})
	// The second event, then a redelivery of the first, which the receiver
	// answers as a duplicate without spooling it.
	for i, tt := range []struct{ body, answer string }{{bodies[1], "200 OK ok\n"}, {bodies[0], "200 OK duplicate\n"}} {
		answer, err := post(tt.body)
		if err != nil {
			t.Fatal(err)
		}
		if answer != tt.answer {
			t.Errorf("post %d answered %q, want %q", i+2, answer, tt.answer)
		}
	}
	ms := got.wait(t, 2)
	if len(ms) != 2 {
		t.Fatalf("%d messages forwarded, want 2", len(ms))
	}
	for i, m := range ms {
		if string(m.Msg) != bodies[i] || string(m.AppName) != config.AppNameAudit {
			t.Errorf("message %d: APP-NAME %q MSG %q, want %q", i, m.AppName, m.Msg, bodies[i])
		}
	}
}

// streamingToken is the verification token of startStreamingAgent's
// receiver.
const streamingToken = "s3cr3t-token-0123456789"

// startStreamingAgent runs, until the test ends, an agent without file
// sources whose streaming receiver is st with the token streamingToken,
// forwarding to a syslog collector of the test's; it returns the URL
// GitLab posts to, what the collector receives, and the agent's resolved
// configuration, which each configure function changes first.
func startStreamingAgent(t *testing.T, st config.Streaming, configure ...func(*config.Config)) (url string, got *messages, c *config.Config) {
	t.Helper()
	url, got, c, _, _ = runStreamingAgent(t, st, Options{}, configure...)
	return url, got, c
}

// runStreamingAgent is startStreamingAgent with the agent's options opts,
// also returning the agent and the context it runs in (for Reload).
func runStreamingAgent(t *testing.T, st config.Streaming, opts Options, configure ...func(*config.Config)) (url string, got *messages, c *config.Config, a *Agent, ctx context.Context) {
	t.Helper()
	got = &messages{}
	col, err := syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { col.Close() })
	c = newConfig(t, "tcp://"+col.Addr())
	c.Sources = []config.Source{}
	for _, f := range configure {
		f(c)
	}
	st.Tokens = []string{streamingToken}
	url = listenStreaming(t, c, st)
	a, ctx, stop := runInBackground(t, c, opts)
	t.Cleanup(stop) // before the collector closes
	return url, got, c, a, ctx
}

// listenStreaming gives c the streaming receiver st on a free loopback
// port, resolves and validates c, and returns the URL GitLab posts to.
func listenStreaming(t *testing.T, c *config.Config, st config.Streaming) string {
	t.Helper()
	port := syslogtest.FreeTCPPort(t)
	st.Listen = fmt.Sprintf("127.0.0.1:%d", port)
	c.Streaming = st
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d%s", port, config.DefaultStreamingPath)
}

// postStreaming POSTs body to the streaming receiver at url with token and
// the headers given as name, value pairs, as GitLab does, and returns the
// answer's status and body ("200 OK ok\n").
func postStreaming(url, token, body string, header ...string) (string, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("X-Gitlab-Event-Streaming-Token", token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.Status + " " + string(answer), err
}
