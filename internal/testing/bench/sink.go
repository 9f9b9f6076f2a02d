// Package bench measures log shippers end to end: a shipper reads a
// generated file and forwards it over loopback TCP to a counting Sink, and a
// Run reports lines per second between the first and the last frame, the
// shipper's CPU time and peak RSS, and lost lines.
//
// The shippers are gitlab-syslog itself (Agent), rsyslog (Rsyslog), syslog-ng
// (SyslogNG) and a baseline that only frames the file's lines (Framer). The
// command cmd/gitlab-syslog-bench prints them side by side; regress_test.go
// guards the agent's throughput as a ratio to the baseline.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Sink is a TCP listener on loopback that counts syslog frames and their
// bytes. It accepts RFC 6587 octet counting ("LEN SP MSG") and, frame by
// frame, newline framing (a frame that does not start with a digit ends at
// "\n"). It keeps no payload. Frames whose RFC 5424 APP-NAME is
// AlertAppName (the agent's detection alerts) are counted apart, as
// alerts: they are not lines of the file.
type Sink struct {
	ln     net.Listener
	frames atomic.Int64
	alerts atomic.Int64
	bytes  atomic.Int64 // payload bytes, without length prefix or newline
	first  atomic.Int64 // UnixNano of the first frame, 0 before it
	last   atomic.Int64 // UnixNano of the latest frame
	conns  atomic.Int64 // connections accepted
	bad    atomic.Int64 // malformed length prefixes
	notify chan struct{}

	mu     sync.Mutex
	open   map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// SinkStats is a snapshot of what a Sink has received.
type SinkStats struct {
	Frames      int64     // frames received, alerts not included
	Alerts      int64     // frames with APP-NAME AlertAppName
	Bytes       int64     // payload bytes received, alerts not included
	First, Last time.Time // arrival of the first and the latest frame (zero if none)
	Conns       int64     // connections accepted
	Malformed   int64     // octet-counted frames with an unreadable length
}

// Duration is the time from the first to the latest frame.
func (s SinkStats) Duration() time.Duration {
	if s.First.IsZero() {
		return 0
	}
	return s.Last.Sub(s.First)
}

// ListenSink starts a Sink on addr, e.g. "127.0.0.1:0".
func ListenSink(addr string) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("bench: sink: listen on %s: %w", addr, err)
	}
	s := &Sink{ln: ln, open: map[net.Conn]struct{}{}, notify: make(chan struct{}, 1)}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the host:port the Sink listens on.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Stats returns what the Sink has received so far.
func (s *Sink) Stats() SinkStats {
	st := SinkStats{
		Frames:    s.frames.Load(),
		Alerts:    s.alerts.Load(),
		Bytes:     s.bytes.Load(),
		Conns:     s.conns.Load(),
		Malformed: s.bad.Load(),
	}
	if f := s.first.Load(); f != 0 {
		st.First = time.Unix(0, f)
		st.Last = time.Unix(0, s.last.Load())
	}
	return st
}

// ErrIdle is returned by Wait when frames stopped arriving before the
// expected number was reached.
var ErrIdle = errors.New("no frame arrived within the idle timeout")

// Wait blocks until want frames have arrived, until no frame has arrived for
// idle (counted from the call if none has arrived yet, then from the latest
// frame), until stop is closed, or until ctx is done. It returns the stats and
// nil only in the first case.
func (s *Sink) Wait(ctx context.Context, want int64, idle time.Duration, stop <-chan struct{}) (SinkStats, error) {
	start := time.Now()
	tick := time.NewTicker(idle / 20)
	defer tick.Stop()
	for {
		st := s.Stats()
		if st.Frames >= want {
			return st, nil
		}
		since := start
		if st.Last.After(since) {
			since = st.Last
		}
		if time.Since(since) >= idle {
			return st, fmt.Errorf("bench: sink got %d of %d frames: %w (%s)", st.Frames, want, ErrIdle, idle)
		}
		select {
		case <-s.notify:
		case <-tick.C:
		case <-stop:
			st = s.Stats()
			return st, fmt.Errorf("bench: sink got %d of %d frames: stopped", st.Frames, want)
		case <-ctx.Done():
			st = s.Stats()
			return st, fmt.Errorf("bench: sink got %d of %d frames: %w", st.Frames, want, ctx.Err())
		}
	}
}

// Close stops listening, closes every connection and waits for the readers.
func (s *Sink) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("bench: sink: close %s: %w", s.Addr(), err)
	}
	return nil
}

func (s *Sink) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.open[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		s.conns.Add(1)
		go func() {
			defer s.wg.Done()
			s.read(c)
			s.mu.Lock()
			delete(s.open, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

// read counts the frames of one connection. It publishes its counts whenever
// its buffer runs dry (so the time of the latest frame is exact) and at least
// every 4096 frames.
func (s *Sink) read(c net.Conn) {
	r := bufio.NewReaderSize(c, 1<<20)
	var frames, bytes, alerts int64
	publish := func() {
		s.alerts.Add(alerts)
		alerts = 0
		if frames == 0 {
			return
		}
		now := time.Now().UnixNano()
		s.first.CompareAndSwap(0, now)
		s.last.Store(now)
		s.bytes.Add(bytes)
		s.frames.Add(frames)
		frames, bytes = 0, 0
		select {
		case s.notify <- struct{}{}:
		default:
		}
	}
	defer publish()
	for {
		if r.Buffered() == 0 || frames >= 4096 {
			publish()
		}
		c, err := r.ReadByte()
		if err != nil {
			return
		}
		if c >= '1' && c <= '9' {
			n := int64(c - '0')
			for {
				c, err = r.ReadByte()
				if err != nil {
					return
				}
				if c == ' ' {
					break
				}
				if c < '0' || c > '9' || n > 1<<30 {
					s.bad.Add(1)
					return
				}
				n = n*10 + int64(c-'0')
			}
			hdr, _ := r.Peek(min(int(n), maxHeader))
			alert := isAlert(hdr)
			if _, err := r.Discard(int(n)); err != nil {
				return
			}
			if alert {
				alerts++
				continue
			}
			frames++
			bytes += n
			continue
		}
		if c == '\n' { // an empty line is not a frame
			continue
		}
		// Newline framing: the frame runs to the next "\n". A partial frame
		// at the end of the stream is not counted.
		n, alert := int64(1), false
		for first := true; ; first = false {
			line, err := r.ReadSlice('\n')
			if first { // line lacks the frame's first byte, which is not a space
				alert = isAlert(line)
			}
			n += int64(len(line))
			if err == nil {
				n-- // the newline
				break
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return
			}
		}
		if alert {
			alerts++
			continue
		}
		frames++
		bytes += n
	}
}

// AlertAppName is the APP-NAME of the agent's detection alerts.
const AlertAppName = "GitLab-Detections"

// maxHeader bounds the bytes of a frame isAlert looks at.
const maxHeader = 512

// isAlert reports whether hdr, the start of an RFC 5424 message (PRI
// VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP ...), has APP-NAME
// AlertAppName.
func isAlert(hdr []byte) bool {
	for range 3 {
		i := bytes.IndexByte(hdr, ' ')
		if i < 0 {
			return false
		}
		hdr = hdr[i+1:]
	}
	return len(hdr) > len(AlertAppName) && hdr[len(AlertAppName)] == ' ' && string(hdr[:len(AlertAppName)]) == AlertAppName
}
