package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestStreamingRequests: nothing is exported while streaming is off; once
// the receiver reports, every outcome is a series with its status code.
func TestStreamingRequests(t *testing.T) {
	m := New()
	if n, err := testutil.GatherAndCount(m.Registry(), "gitlab_syslog_streaming_requests_total"); err != nil || n != 0 {
		t.Fatalf("streaming off: %d series (err %v), want none", n, err)
	}
	m.SetStreaming(func() StreamingStats {
		return StreamingStats{Accepted: 7, Duplicates: 2, Batches: 8, Invalid: 1, Unauthorized: 3, TooLarge: 4, Encoding: 6, SpoolErrors: 5, NotFound: 9, NotAllowed: 10}
	})
	want := `
# HELP gitlab_syslog_streaming_requests_total Audit Event Streaming requests by HTTP status code answered and outcome (accepted, duplicate, invalid, unauthorized, too_large, unsupported_encoding, spool_error, not_found, method_not_allowed); a batch (a JSON array of events) answered 200 counts once per event in accepted and duplicate.
# TYPE gitlab_syslog_streaming_requests_total counter
gitlab_syslog_streaming_requests_total{code="200",outcome="accepted"} 7
gitlab_syslog_streaming_requests_total{code="200",outcome="duplicate"} 2
gitlab_syslog_streaming_requests_total{code="400",outcome="invalid"} 1
gitlab_syslog_streaming_requests_total{code="401",outcome="unauthorized"} 3
gitlab_syslog_streaming_requests_total{code="404",outcome="not_found"} 9
gitlab_syslog_streaming_requests_total{code="405",outcome="method_not_allowed"} 10
gitlab_syslog_streaming_requests_total{code="413",outcome="too_large"} 4
gitlab_syslog_streaming_requests_total{code="415",outcome="unsupported_encoding"} 6
gitlab_syslog_streaming_requests_total{code="503",outcome="spool_error"} 5
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "gitlab_syslog_streaming_requests_total"); err != nil {
		t.Error(err)
	}
	wantBatches := `
# HELP gitlab_syslog_streaming_batches_total Audit Event Streaming batch requests (a JSON array of events, GitLab's batched delivery) answered 200; their events count in gitlab_syslog_streaming_requests_total{code="200"}.
# TYPE gitlab_syslog_streaming_batches_total counter
gitlab_syslog_streaming_batches_total 8
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(wantBatches), "gitlab_syslog_streaming_batches_total"); err != nil {
		t.Error(err)
	}
	m.SetStreaming(nil)
	if n, _ := testutil.GatherAndCount(m.Registry(), "gitlab_syslog_streaming_requests_total", "gitlab_syslog_streaming_batches_total"); n != 0 {
		t.Errorf("streaming stopped: %d series, want none", n)
	}
}
