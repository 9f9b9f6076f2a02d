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
// redelivery of it, a wrong token, a body that is not JSON, one with
// Content-Encoding: gzip, a batch of three events (one a redelivery) and
// an array with an element that is not an event, and reads the counts back
// from the agent's registry by status code: the batch's events count one
// by one, the batch in gitlab_syslog_streaming_batches_total.
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
		{token, `[{"id": 9002}, ` + event + `, {"id": 9003}]`, http.StatusOK, nil},
		{token, `[{"id": 9004}, 1]`, http.StatusBadRequest, nil},
	} {
		if code := post(r.token, r.body, r.header...); code != r.want {
			t.Fatalf("POST %.20q: %d, want %d", r.body, code, r.want)
		}
	}
	want := `
# HELP gitlab_syslog_streaming_requests_total Audit Event Streaming requests by HTTP status code answered and outcome (accepted, duplicate, invalid, unauthorized, too_large, unsupported_encoding, spool_error, not_found, method_not_allowed); a batch (a JSON array of events) answered 200 counts once per event in accepted and duplicate.
# TYPE gitlab_syslog_streaming_requests_total counter
gitlab_syslog_streaming_requests_total{code="200",outcome="accepted"} 3
gitlab_syslog_streaming_requests_total{code="200",outcome="duplicate"} 2
gitlab_syslog_streaming_requests_total{code="400",outcome="invalid"} 2
# HELP gitlab_syslog_streaming_batches_total Audit Event Streaming batch requests (a JSON array of events, GitLab's batched delivery) answered 200; their events count in gitlab_syslog_streaming_requests_total{code="200"}.
# TYPE gitlab_syslog_streaming_batches_total counter
gitlab_syslog_streaming_batches_total 1
gitlab_syslog_streaming_requests_total{code="401",outcome="unauthorized"} 1
gitlab_syslog_streaming_requests_total{code="404",outcome="not_found"} 0
gitlab_syslog_streaming_requests_total{code="405",outcome="method_not_allowed"} 0
gitlab_syslog_streaming_requests_total{code="413",outcome="too_large"} 0
gitlab_syslog_streaming_requests_total{code="415",outcome="unsupported_encoding"} 1
gitlab_syslog_streaming_requests_total{code="503",outcome="spool_error"} 0
`
	if err := testutil.GatherAndCompare(a.Metrics().Registry(), strings.NewReader(want), "gitlab_syslog_streaming_requests_total", "gitlab_syslog_streaming_batches_total"); err != nil {
		t.Error(err)
	}
}
