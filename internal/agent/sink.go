package agent

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
)

// sink is where encoded batches go: the forwarder, or stdout.
type sink interface {
	// Send queues b; ack runs once b was written (nil) or abandoned (error).
	Send(ctx context.Context, b *forwarder.Batch, ack func(error)) error
	// Close flushes what is queued, waiting up to ctx.
	Close(ctx context.Context) error
	// Stats reports the sink's counters for the metrics.
	Stats() metrics.ForwarderStats
	// URL names the destination.
	URL() string
	// LastError is why the destination failed last (a refused
	// connection, an unverified certificate), nil once a batch was
	// delivered since.
	LastError() error
	// MaxMessageBytes is the size of the longest message the
	// destination takes whole (forwarder.Forwarder.MaxMessageBytes:
	// max_message_bytes for a datagram destination), 0 for no limit.
	MaxMessageBytes() int
}

// newSink builds the sink for cfg.Forward.
func newSink(cfg *config.Config, enc *forwarder.Encoder, stdout io.Writer, log *slog.Logger) (sink, error) {
	f := &cfg.Forward
	if config.IsStdout(f.URL) {
		return &stdoutSink{w: bufio.NewWriterSize(stdout, 64<<10)}, nil
	}
	fc := f.Config
	fc.Encoder, fc.Logger = enc, log
	fw, err := forwarder.New(fc)
	if err != nil {
		return nil, err
	}
	return &forwarderSink{f: fw}, nil
}

// newEncoder builds the encoder of the log lines for cfg.Forward.
func newEncoder(f *config.Forward) *forwarder.Encoder { return f.LineEncoder() }

// forwarderSink adapts *forwarder.Forwarder.
type forwarderSink struct{ f *forwarder.Forwarder }

func (s *forwarderSink) Send(ctx context.Context, b *forwarder.Batch, ack func(error)) error {
	return s.f.Send(ctx, b, ack)
}
func (s *forwarderSink) Close(ctx context.Context) error { return s.f.Close(ctx) }
func (s *forwarderSink) URL() string                     { return s.f.URL() }
func (s *forwarderSink) LastError() error                { return s.f.LastError() }
func (s *forwarderSink) MaxMessageBytes() int            { return s.f.MaxMessageBytes() }
func (s *forwarderSink) Stats() metrics.ForwarderStats {
	st := s.f.Stats()
	return metrics.ForwarderStats{
		Connected:  st.Connected,
		Reconnects: st.Reconnects,
		QueueDepth: st.QueueDepth,
		Sent:       st.Messages,
		Dropped:    st.Dropped,
		Resent:     st.Resent,
		Truncated:  st.Truncated,
		Escaped:    st.Escaped,
	}
}

// stdoutSink prints each message on a line of its own, its line breaks
// made spaces as newline framing sends them (forwarder.OneLine), so that
// a value holding a line break does not split its message. It is for
// trying the agent out (the README quick start) and for tests: it writes
// synchronously and acknowledges at once.
type stdoutSink struct {
	mu     sync.Mutex
	w      *bufio.Writer
	line   []byte // a message's copy made one line
	closed bool
	sent   atomic.Uint64
	// escaped counts messages whose line breaks were made spaces.
	escaped atomic.Uint64
}

func (s *stdoutSink) Send(_ context.Context, b *forwarder.Batch, ack func(error)) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return forwarder.ErrClosed
	}
	var err error
	for i := 0; i < b.Len() && err == nil; i++ {
		s.line = append(s.line[:0], b.Message(i)...)
		if forwarder.OneLine(s.line) {
			s.escaped.Add(1)
		}
		s.w.Write(s.line)
		err = s.w.WriteByte('\n')
	}
	if err == nil {
		err = s.w.Flush()
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("agent: write to stdout: %w", err)
	}
	s.sent.Add(uint64(b.Len()))
	if ack != nil {
		ack(nil)
	}
	return nil
}

func (s *stdoutSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.w.Flush()
}

func (s *stdoutSink) URL() string { return "stdout://" }

// LastError is always nil: writes to stdout do not fail over.
func (s *stdoutSink) LastError() error { return nil }

// MaxMessageBytes is 0: stdout cuts nothing.
func (s *stdoutSink) MaxMessageBytes() int { return 0 }

func (s *stdoutSink) Stats() metrics.ForwarderStats {
	return metrics.ForwarderStats{Connected: true, Sent: s.sent.Load(), Escaped: s.escaped.Load()}
}

// ackWatch tracks how long the oldest unacknowledged batch has waited, so
// that /healthz can say the collector is unreachable.
type ackWatch struct {
	pending  atomic.Int64 // batches sent and not yet acknowledged
	lastAck  atomic.Int64 // unix nanos of the last acknowledgement
	lastSend atomic.Int64 // unix nanos when pending went from 0 to 1
}

func (w *ackWatch) sent(now time.Time) {
	if w.pending.Add(1) == 1 {
		w.lastSend.Store(now.UnixNano())
	}
}

func (w *ackWatch) acked(now time.Time) {
	w.lastAck.Store(now.UnixNano())
	w.pending.Add(-1)
}

// stalled returns how long batches have waited without any acknowledgement.
func (w *ackWatch) stalled(now time.Time) time.Duration {
	if w.pending.Load() <= 0 {
		return 0
	}
	since := max(w.lastAck.Load(), w.lastSend.Load())
	return now.Sub(time.Unix(0, since))
}

// maxMessageBytes returns snk's MaxMessageBytes, 0 for a nil sink.
func maxMessageBytes(snk sink) int {
	if snk == nil {
		return 0
	}
	return snk.MaxMessageBytes()
}
