package metrics

import "github.com/prometheus/client_golang/prometheus"

// StreamingStats is what the Audit Event Streaming receiver reports at
// scrape time: its requests by the answer they got. Counters count from
// the receiver's start. A batch (a JSON array of events, GitLab's batched
// delivery) answered 200 counts once per element in Accepted or
// Duplicates, and once in Batches.
type StreamingStats struct {
	Accepted     uint64 // 200: event spooled
	Duplicates   uint64 // 200: event already spooled, dropped
	Batches      uint64 // 200: batch requests (a JSON array of events, [] too)
	Invalid      uint64 // 400: body unreadable, or not one JSON object nor a JSON array of them
	Unauthorized uint64 // 401: verification token missing or wrong
	TooLarge     uint64 // 413: body over streaming.max_body
	Encoding     uint64 // 415: body with a Content-Encoding other than identity
	SpoolErrors  uint64 // 503: the spool could not be written or synced
	NotFound     uint64 // 404: a path other than streaming.path (a scanner, a wrong destination URL)
	NotAllowed   uint64 // 405: a method other than POST
}

var descStreamingRequests = prometheus.NewDesc(namespace+"_streaming_requests_total",
	"Audit Event Streaming requests by HTTP status code answered and outcome (accepted, duplicate, invalid, unauthorized, too_large, unsupported_encoding, spool_error, not_found, method_not_allowed); a batch (a JSON array of events) answered 200 counts once per event in accepted and duplicate.",
	[]string{"code", "outcome"}, nil)

var descStreamingBatches = prometheus.NewDesc(namespace+"_streaming_batches_total",
	"Audit Event Streaming batch requests (a JSON array of events, GitLab's batched delivery) answered 200; their events count in gitlab_syslog_streaming_requests_total{code=\"200\"}.",
	nil, nil)

// SetStreaming sets the function read at scrape time for the streaming
// receiver's metrics; nil (streaming off) reports none.
func (m *Metrics) SetStreaming(f func() StreamingStats) {
	m.mu.Lock()
	m.str = f
	m.mu.Unlock()
}

// streamingCollector reads the receiver's stats at scrape time.
type streamingCollector struct{ m *Metrics }

func (c *streamingCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descStreamingRequests
	ch <- descStreamingBatches
}

func (c *streamingCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	f := c.m.str
	c.m.mu.Unlock()
	if f == nil {
		return
	}
	s := f()
	for _, r := range []struct {
		code, outcome string
		n             uint64
	}{
		{"200", "accepted", s.Accepted},
		{"200", "duplicate", s.Duplicates},
		{"400", "invalid", s.Invalid},
		{"401", "unauthorized", s.Unauthorized},
		{"413", "too_large", s.TooLarge},
		{"415", "unsupported_encoding", s.Encoding},
		{"503", "spool_error", s.SpoolErrors},
		{"404", "not_found", s.NotFound},
		{"405", "method_not_allowed", s.NotAllowed},
	} {
		ch <- prometheus.MustNewConstMetric(descStreamingRequests, prometheus.CounterValue, float64(r.n), r.code, r.outcome)
	}
	ch <- prometheus.MustNewConstMetric(descStreamingBatches, prometheus.CounterValue, float64(s.Batches))
}
