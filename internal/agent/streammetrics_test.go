package agent

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestStreamingRequestMetrics sends the real receiver an accepted event, a
// redelivery of it, a wrong token, a body that is not JSON and one with
// Content-Encoding: gzip, and reads
// the counts back from the agent's registry by status code.
func TestStreamingRequestMetrics(t *testing.T) {
	c := newConfig(t, "stdout://")
	c.Sources = []config.Source{}
	port := syslogtest.FreeTCPPort(t)
	const token = "metrics-token-0123456789"
	c.Streaming = config.Streaming{Listen: fmt.Sprintf("127.0.0.1:%d", port), Tokens: []string{token}}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	a, _, stop := runInBackground(t, c, Options{Stdout: io.Discard})
	defer stop()
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, config.DefaultStreamingPath)
	post := func(token, body string, header ...string) int {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("X-Gitlab-Event-Streaming-Token", token)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const event = `{"id": 9001, "event_type": "user_created", "created_at": "2024-05-31T14:32:44.108Z"}`
	waitFor(t, "the streaming receiver", 10*time.Second, func() bool { return post(token, event) == http.StatusOK })
	for _, r := range []struct {
		token, body string
		want        int
		header      []string
	}{
		{token, event, http.StatusOK, nil}, // redelivery: a duplicate
		{"wrong-token-0123456789", event, http.StatusUnauthorized, nil},
		{token, "not json", http.StatusBadRequest, nil},
		{token, event, http.StatusUnsupportedMediaType, []string{"Content-Encoding", "gzip"}},
	} {
		if code := post(r.token, r.body, r.header...); code != r.want {
			t.Fatalf("POST %.20q: %d, want %d", r.body, code, r.want)
		}
	}
	want := `
# HELP gitlab_syslog_streaming_requests_total Audit Event Streaming requests by HTTP status code answered and outcome (accepted, duplicate, invalid, unauthorized, too_large, unsupported_encoding, spool_error).
# TYPE gitlab_syslog_streaming_requests_total counter
gitlab_syslog_streaming_requests_total{code="200",outcome="accepted"} 1
gitlab_syslog_streaming_requests_total{code="200",outcome="duplicate"} 1
gitlab_syslog_streaming_requests_total{code="400",outcome="invalid"} 1
gitlab_syslog_streaming_requests_total{code="401",outcome="unauthorized"} 1
gitlab_syslog_streaming_requests_total{code="413",outcome="too_large"} 0
gitlab_syslog_streaming_requests_total{code="415",outcome="unsupported_encoding"} 1
gitlab_syslog_streaming_requests_total{code="503",outcome="spool_error"} 0
`
	if err := testutil.GatherAndCompare(a.Metrics().Registry(), strings.NewReader(want), "gitlab_syslog_streaming_requests_total"); err != nil {
		t.Error(err)
	}
}
