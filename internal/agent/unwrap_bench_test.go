package agent

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// BenchmarkEncodeBatchCRI is BenchmarkEncodeBatch/audit with every line
// wrapped as on Kubernetes: in a gitlab-logger envelope in a CRI record,
// the Kubernetes element added to each message. Compare with
// BenchmarkEncodeBatch/audit from the same run for the cost of unwrapping.
func BenchmarkEncodeBatchCRI(b *testing.B) {
	g, err := loadgen.NewGenerator(parser.TypeAudit, 1)
	if err != nil {
		b.Fatal(err)
	}
	tb := &tailer.Batch{}
	var line []byte
	for i := range 1024 {
		line = g.AppendLine(line[:0])
		rec := "2024-05-01T12:00:00.123456789Z stdout F " +
			`{"date":"2024-05-01T12:00:00Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":` + string(line) + "}"
		tb.Data = append(tb.Data, rec...)
		tb.Ends = append(tb.Ends, len(tb.Data))
		tb.Offsets = append(tb.Offsets, int64(len(tb.Data)+i+1))
	}
	w := newWorker(parser.TypeUnknown, &forwarder.Encoder{}, nil, metrics.New().Source("cri", "bench"),
		forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "bench"})
	w.uw = newUnwrapper(container.CRI, parser.TypeUnknown, "", false,
		"/var/log/containers/gitlab-webservice-default-6c8d7d9f4-2xkqz_gitlab_webservice-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b.log", 0, "")
	var fb forwarder.Batch
	var evs []*detect.Event
	var carry container.Carry
	if skipped := w.encode(tb, &fb, &evs, &carry); skipped != 0 || fb.Len() != tb.Len() {
		b.Fatalf("skipped %d, %d messages for %d lines", skipped, fb.Len(), tb.Len())
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(tb.Data) + tb.Len()))
	b.ResetTimer()
	for range b.N {
		w.encode(tb, &fb, &evs, &carry)
	}
	b.ReportMetric(float64(b.N*tb.Len())/b.Elapsed().Seconds(), "lines/s")
}
