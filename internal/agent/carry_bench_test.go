package agent

import (
	"strconv"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// BenchmarkCarryOver measures the dispatcher's search for the parts of a
// line a batch of 1024 container records leaves pending (source.carryOver),
// per batch: stdout only, stdout with stderr records, stderr only, and a
// batch ending in a stdout part after a stderr line.
func BenchmarkCarryOver(b *testing.B) {
	const msg = `{"date":"2024-05-01T12:00:00Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_type":"User"}}`
	cri := func(i int, stream, tag string) string {
		return "2024-05-01T12:00:00." + strconv.Itoa(100000+i) + "Z " + stream + " " + tag + " " + msg
	}
	docker := func(i int, stream, tag string) string {
		q := strconv.Quote(msg)
		if tag == "F" {
			q = q[:len(q)-1] + `\n"`
		}
		return `{"log":` + q + `,"stream":"` + stream + `","time":"2024-05-01T12:00:00.` + strconv.Itoa(100000+i) + `Z"}`
	}
	for _, tc := range []struct {
		name   string
		format container.Format
		rec    func(i int, stream, tag string) string
		line   func(i, n int) (stream, tag string)
	}{
		{"cri/stdout", container.CRI, cri, func(i, n int) (string, string) { return "stdout", "F" }},
		{"cri/mixed", container.CRI, cri, func(i, n int) (string, string) {
			if i%10 == 3 {
				return "stderr", "F"
			}
			return "stdout", "F"
		}},
		{"cri/part-last", container.CRI, cri, func(i, n int) (string, string) {
			switch i {
			case n - 2:
				return "stdout", "P"
			case n - 1:
				return "stderr", "F"
			}
			return "stdout", "F"
		}},
		{"cri/stderr", container.CRI, cri, func(i, n int) (string, string) { return "stderr", "F" }},
		{"docker/stdout", container.Docker, docker, func(i, n int) (string, string) { return "stdout", "F" }},
		{"docker/mixed", container.Docker, docker, func(i, n int) (string, string) {
			if i%10 == 3 {
				return "stderr", "F"
			}
			return "stdout", "F"
		}},
		{"docker/stderr", container.Docker, docker, func(i, n int) (string, string) { return "stderr", "F" }},
		{"docker/part-last", container.Docker, docker, func(i, n int) (string, string) {
			switch i {
			case n - 2:
				return "stdout", "P"
			case n - 1:
				return "stderr", "F"
			}
			return "stdout", "F"
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			const n = 1024
			tb := &tailer.Batch{}
			for i := range n {
				stream, tag := tc.line(i, n)
				tb.Data = append(tb.Data, tc.rec(i, stream, tag)...)
				tb.Ends = append(tb.Ends, len(tb.Data))
				tb.Offsets = append(tb.Offsets, int64(len(tb.Data)+i+1))
			}
			s := &source{format: tc.format, scout: container.Decoder{Format: tc.format}}
			sl := &slot{tb: tb}
			s.carryOver(sl)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				s.carry = container.Carry{Stdout: s.carry.Stdout[:0], Stderr: s.carry.Stderr[:0]}
				s.hold = tailer.Mark{}
				s.carryOver(sl)
			}
		})
	}
}
