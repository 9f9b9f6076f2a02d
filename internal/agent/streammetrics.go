package agent

import (
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/internal/streaming"
)

// exportStreaming makes r's request counters the agent's
// gitlab_syslog_streaming_requests_total and
// gitlab_syslog_streaming_batches_total, read at scrape time.
func (a *Agent) exportStreaming(r *streaming.Receiver) {
	a.m.SetStreaming(func() metrics.StreamingStats {
		s := r.Stats()
		return metrics.StreamingStats{
			Accepted:     s.Accepted,
			Duplicates:   s.Duplicates,
			Batches:      s.Batches,
			Invalid:      s.Invalid,
			Unauthorized: s.Unauthorized,
			TooLarge:     s.TooLarge,
			Encoding:     s.UnsupportedEncoding,
			SpoolErrors:  s.SpoolErrors,
			NotFound:     s.NotFound,
			NotAllowed:   s.MethodNotAllowed,
		}
	})
}
