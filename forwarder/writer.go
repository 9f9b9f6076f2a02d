package forwarder

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"time"
	"unicode/utf8"
)

// writer is the Forwarder's single writer goroutine and all its state.
type writer struct {
	f       *Forwarder
	framing framing
	conn    net.Conn
	unwatch func() bool // stops the context watcher of conn

	buf      []byte  // framed bytes not yet written
	unacked  []*item // batches with bytes not yet written, in order
	scratch  []*item
	dgram    []byte // scratch for truncated datagrams
	failures int    // consecutive failures since the last successful write
	dialedOK bool   // the first connection attempt was reported
}

func newWriter(f *Forwarder) *writer {
	return &writer{
		f:       f,
		framing: f.ep.framing,
		buf:     make([]byte, 0, f.cfg.BufferSize+f.cfg.BufferSize/8),
	}
}

func (w *writer) run() {
	f := w.f
	defer close(f.done)
	defer w.closeConn()
	if err := w.connect(nil); err != nil {
		w.giveUp(err)
		return
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	for {
		var err error
		select {
		case it := <-f.queue:
			err = w.handle(it)
		case <-timer.C:
			armed = false
			err = w.flush()
		case <-f.stop:
			for err == nil {
				select {
				case it := <-f.queue:
					err = w.handle(it)
					continue
				default:
				}
				break
			}
			if err == nil {
				err = w.flush()
			}
			if err != nil {
				w.giveUp(err)
			}
			return
		case <-f.ctx.Done():
			err = f.ctx.Err()
		}
		if err != nil {
			w.giveUp(err)
			return
		}
		switch {
		case len(w.buf) > 0 && !armed:
			timer.Reset(f.cfg.FlushInterval)
			armed = true
		case len(w.buf) == 0 && armed:
			timer.Stop()
			armed = false
		}
	}
}

// giveUp fails the Forwarder with err and acks every unacked and queued
// batch with it, until Close.
func (w *writer) giveUp(err error) {
	f := w.f
	f.fail(err)
	err = f.failure()
	for _, it := range w.unacked {
		w.nack(it, err)
	}
	clear(w.unacked)
	w.unacked = w.unacked[:0]
	w.closeConn()
	for {
		select {
		case it := <-f.queue:
			w.nack(it, err)
		case <-f.stop:
			for {
				select {
				case it := <-f.queue:
					w.nack(it, err)
				default:
					return
				}
			}
		}
	}
}

func (w *writer) nack(it *item, err error) {
	w.f.dropped.Add(uint64(it.b.Len() - it.next))
	if it.ack != nil {
		it.ack(err)
	}
}

func (w *writer) ackItem(it *item) {
	w.f.messages.Add(uint64(it.b.Len()))
	w.f.batches.Add(1)
	if it.ack != nil {
		it.ack(nil)
	}
}

// handle sends one batch: into the write buffer for streams, as datagrams
// otherwise. It returns an error only when the Forwarder must give up.
func (w *writer) handle(it *item) error {
	if w.framing == framingDatagram {
		return w.sendDatagrams(it)
	}
	w.unacked = append(w.unacked, it)
	if err := w.emit(it); err != nil {
		return w.recover(err)
	}
	return nil
}

// emit frames every message of it into the buffer, writing the buffer
// whenever it is full.
func (w *writer) emit(it *item) error {
	b := it.b
	last := len(b.spans) - 1
	for i, s := range b.spans {
		msg := b.buf[s.start:s.end]
		if w.framing == framingLF {
			start := len(w.buf)
			w.buf = append(w.buf, msg...)
			if bytes.IndexByte(msg, '\n') >= 0 {
				for j := start; j < len(w.buf); j++ {
					if w.buf[j] == '\n' {
						w.buf[j] = ' '
					}
				}
				w.f.escaped.Add(1)
			}
			w.buf = append(w.buf, '\n')
		} else {
			w.buf = strconv.AppendInt(w.buf, int64(len(msg)), 10)
			w.buf = append(w.buf, ' ')
			w.buf = append(w.buf, msg...)
		}
		if i == last {
			it.framed = true
		}
		if len(w.buf) >= w.f.cfg.BufferSize {
			if err := w.write(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes what is buffered.
func (w *writer) flush() error {
	if w.framing == framingDatagram {
		return nil
	}
	if err := w.write(); err != nil {
		return w.recover(err)
	}
	return nil
}

// write writes the buffer to the connection and acknowledges every batch
// whose messages are now all written.
func (w *writer) write() error {
	if len(w.buf) > 0 {
		if w.conn == nil {
			return errors.New("not connected")
		}
		if err := probe(w.conn); err != nil {
			return err
		}
		_ = w.conn.SetWriteDeadline(time.Now().Add(w.f.cfg.WriteTimeout))
		for _, it := range w.unacked {
			it.written = true // some of its bytes may reach the receiver
		}
		n, err := w.conn.Write(w.buf)
		w.f.bytes.Add(uint64(n))
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
		w.buf = w.buf[:0]
		w.failures = 0
	}
	k := 0
	for k < len(w.unacked) && w.unacked[k].framed {
		w.ackItem(w.unacked[k])
		k++
	}
	if k > 0 {
		n := copy(w.unacked, w.unacked[k:])
		clear(w.unacked[n:])
		w.unacked = w.unacked[:n]
	}
	return nil
}

// recover reconnects after cause and writes every unacknowledged batch
// again. It returns an error only when the Forwarder must give up.
func (w *writer) recover(cause error) error {
	for {
		if err := w.connect(cause); err != nil {
			return err
		}
		if w.framing == framingDatagram {
			return nil
		}
		w.buf = w.buf[:0]
		items := append(w.scratch[:0], w.unacked...)
		for _, it := range items {
			it.framed = false
			if it.written {
				w.f.resent.Add(uint64(it.b.Len()))
			}
		}
		var err error
		for _, it := range items {
			if err = w.emit(it); err != nil {
				break
			}
		}
		clear(items)
		w.scratch = items[:0]
		if err == nil {
			return nil
		}
		cause = err
	}
}

// sendDatagrams sends each message of it as one datagram, truncated to
// MaxDatagram, and acknowledges it.
func (w *writer) sendDatagrams(it *item) error {
	b := it.b
	for it.next < len(b.spans) {
		d := w.datagram(b, b.spans[it.next])
		_ = w.conn.SetWriteDeadline(time.Now().Add(w.f.cfg.WriteTimeout))
		n, err := w.conn.Write(d)
		if err != nil {
			if err := w.recover(fmt.Errorf("write: %w", err)); err != nil {
				w.nack(it, err)
				return err
			}
			continue
		}
		w.f.bytes.Add(uint64(n))
		w.failures = 0
		it.next++
	}
	w.ackItem(it)
	return nil
}

// datagram returns the message at s, cut to MaxDatagram. MSG is cut first,
// at a UTF-8 character boundary; when HEADER and STRUCTURED-DATA alone are
// too long, STRUCTURED-DATA is replaced by "-" so the datagram stays a
// well-formed message.
func (w *writer) datagram(b *Batch, s span) []byte {
	limit := w.f.cfg.MaxDatagram
	msg := b.buf[s.start:s.end]
	if len(msg) <= limit {
		return msg
	}
	w.f.truncated.Add(1)
	if s.msg-s.start <= limit {
		return msg[:cutUTF8(msg, limit, s.msg-s.start)]
	}
	if s.sd >= s.end || b.buf[s.sd] != '[' {
		// No STRUCTURED-DATA to drop (RFC 3164, or "-"): the header alone
		// is over a tiny MaxDatagram.
		return msg[:cutUTF8(msg, limit, 0)]
	}
	head := b.buf[s.start:s.sd]
	d := append(w.dgram[:0], head...)
	d = append(d, '-')
	if s.msg < s.end {
		d = append(d, ' ')
		body := b.buf[s.msg:s.end]
		if room := limit - len(d); room > 0 {
			d = append(d, body[:cutUTF8(body, room, 0)]...)
		}
	}
	if len(d) > limit { // the header alone is too long for a tiny MaxDatagram
		d = d[:cutUTF8(d, limit, 0)]
	}
	w.dgram = d
	return d
}

// cutUTF8 returns n, moved back (not before min) so that p[:n] does not end
// inside a UTF-8 sequence; len(p) when n is past the end.
func cutUTF8(p []byte, n, min int) int {
	if n >= len(p) {
		return len(p)
	}
	for k := n; k > min && k > n-utf8.UTFMax; k-- {
		if utf8.RuneStart(p[k]) {
			return k
		}
	}
	return n
}

// connect dials the destination. With a nil cause it tries at once;
// otherwise it waits a backoff delay first and keeps trying until it is
// connected, the Forwarder is closed with an expired context, or
// Config.MaxAttempts consecutive failures happened.
func (w *writer) connect(cause error) error {
	f := w.f
	w.closeConn()
	for {
		if cause != nil {
			w.failures++
			if max := f.cfg.MaxAttempts; max > 0 && w.failures >= max {
				return fmt.Errorf("forwarder: giving up on %s after %d failed attempts: %w", f.ep.raw, w.failures, cause)
			}
			delay := backoff(f.cfg.MinBackoff, f.cfg.MaxBackoff, w.failures)
			f.cfg.Logger.Warn("forwarder: connection failed, reconnecting",
				"destination", f.ep.raw, "error", cause.Error(), "attempt", w.failures, "retry_in", delay)
			t := time.NewTimer(delay)
			stop := f.stop
		wait:
			for {
				select {
				case <-t.C:
					break wait
				case <-f.ctx.Done():
					t.Stop()
					return fmt.Errorf("forwarder: %s: %w (last error: %v)", f.ep.raw, f.ctx.Err(), cause)
				case <-stop:
					// Closed: stop retrying if nothing is left to send.
					if len(w.unacked) == 0 && len(f.queue) == 0 {
						t.Stop()
						return fmt.Errorf("forwarder: closed before %s could be reached: %w", f.ep.raw, cause)
					}
					stop = nil
				}
			}
		}
		conn, err := w.dial()
		if !w.dialedOK {
			w.dialedOK = true
			f.dialErr = err
			close(f.dialed)
		}
		if err == nil {
			w.conn = conn
			w.unwatch = context.AfterFunc(f.ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
			if cause != nil {
				f.reconnects.Add(1)
			}
			return nil
		}
		cause = err
	}
}

// backoff returns a delay for the n-th consecutive failure: uniformly
// random in [0, min(max, base·2^(n-1))) ("full jitter"), at least 1 ms.
func backoff(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	j := time.Duration(rand.Int64N(int64(d)))
	if j < time.Millisecond {
		j = time.Millisecond
	}
	return j
}

func (w *writer) dial() (net.Conn, error) {
	f := w.f
	ep := f.ep
	ctx, cancel := context.WithTimeout(f.ctx, f.cfg.DialTimeout)
	defer cancel()
	d := &net.Dialer{KeepAlive: 30 * time.Second}
	var (
		c   net.Conn
		err error
	)
	switch {
	case ep.tls != nil:
		td := &tls.Dialer{NetDialer: d, Config: ep.tls}
		c, err = td.DialContext(ctx, "tcp", ep.addr)
	case ep.network == "unix?":
		c, err = d.DialContext(ctx, "unixgram", ep.addr)
		if err == nil {
			w.framing = framingDatagram
			break
		}
		var err2 error
		c, err2 = d.DialContext(ctx, "unix", ep.addr)
		if err2 != nil {
			err = fmt.Errorf("%w (as a stream socket: %v)", err, err2)
			break
		}
		err = nil
		if !ep.framingSet {
			w.framing = framingLF
		}
	default:
		c, err = d.DialContext(ctx, ep.network, ep.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("forwarder: connect to %s: %w", ep.raw, err)
	}
	return c, nil
}

func (w *writer) closeConn() {
	if w.conn == nil {
		return
	}
	if w.unwatch != nil {
		w.unwatch()
		w.unwatch = nil
	}
	_ = w.conn.Close()
	w.conn = nil
}
