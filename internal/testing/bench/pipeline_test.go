package bench

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// BenchmarkAgentPipeline runs the agent's whole pipeline (tailer, parser,
// encoder, forwarder over TCP) in this process on a generated backlog of
// 200,000 lines, into the counting sink, the way `run --once` would. It is
// the benchmark to profile the agent with:
//
//	go test -run '^$' -bench AgentPipeline/audit -benchtime 5x -cpuprofile cpu.prof ./internal/bench/
//	go tool pprof -top -focus 'agent|parser|forwarder|tailer' cpu.prof
//
// (the focus leaves out the file generation and the sink). The sink shares
// the process, so lines/s is lower than the harness's figure for the agent
// as a separate process. ns/op includes start-up and the --once end
// detection (about half a second); lines/s is from the sink's first to last
// frame.
func BenchmarkAgentPipeline(b *testing.B) {
	for _, typ := range []parser.Type{parser.TypeAudit, parser.TypeAccess, parser.TypeApplication, parser.TypeAuth} {
		b.Run(typ.String(), func(b *testing.B) {
			job := testJob(b, typ, 200_000)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			b.SetBytes(job.Bytes)
			b.ReportAllocs()
			var lines, secs float64
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				s, err := ListenSink("127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				job.Addr, job.Dir = s.Addr(), b.TempDir()
				a := newInProcessAgent(b, job, log)
				b.StartTimer()
				if err := a.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				st := s.Stats()
				s.Close()
				if st.Frames != job.Lines {
					b.Fatalf("the sink got %d of %d lines", st.Frames, job.Lines)
				}
				lines += float64(st.Frames)
				secs += st.Duration().Seconds()
				b.StartTimer()
			}
			b.ReportMetric(lines/secs, "lines/s")
		})
	}
}

// newInProcessAgent configures an agent for job the way the harness
// configures the gitlab-syslog binary, with --once.
func newInProcessAgent(b *testing.B, job Job, log *slog.Logger) *agent.Agent {
	b.Helper()
	a, err := agent.New(agentConfig(b, job), agent.Options{ExitAtEOF: true, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	return a
}
