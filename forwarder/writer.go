package forwarder

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"
	"unicode/utf8"
)

// writer is the Forwarder's single writer goroutine and all its state.
type writer struct {
	f       *Forwarder
	framing framing
	conn    net.Conn
	unwatch func() bool // stops the context watcher of conn

	unacked  []*item     // batches not yet written, in order
	pending  int         // bytes of the unacked batches
	bufs     net.Buffers // scratch: the unacked batches' buffers
	wv       net.Buffers // what WriteTo consumes (a field, so it does not escape per write)
	dgram    []byte      // scratch for truncated datagrams
	failures int         // consecutive failures since the last successful write
	sending  *item       // datagram transports: the batch being sent
	// dgramsOK counts datagrams written on the current connection. A
	// refusal (ICMP port unreachable) of one datagram is reported by the
	// next write, so only the second success on a connection proves the
	// first was not refused and resets failures.
	dgramsOK int
	dialedOK bool // the first connection attempt was reported
}

func newWriter(f *Forwarder) *writer {
	return &writer{f: f, framing: f.ep.framing}
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
			if err == nil && f.cfg.FlushInterval == 0 && len(f.queue) == 0 {
				err = w.flush()
			}
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
		case w.pending > 0 && !armed && f.cfg.FlushInterval > 0:
			timer.Reset(f.cfg.FlushInterval)
			armed = true
		case w.pending == 0 && armed:
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
	w.pending = 0
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

// ackItem acknowledges it. Datagrams were counted one by one as they were
// written (it.next); a stream batch counts all its messages here, so that
// Messages plus Dropped is every message given to Send.
func (w *writer) ackItem(it *item) {
	w.f.messages.Add(uint64(it.b.Len() - it.next))
	w.f.batches.Add(1)
	if it.ack != nil {
		it.ack(nil)
	}
}

// handle sends one batch: into the pending list for streams, as datagrams
// otherwise. It returns an error only when the Forwarder must give up.
func (w *writer) handle(it *item) error {
	b := it.b
	if b.framing != w.framing {
		b.reframe(w.framing)
	}
	if w.framing == framingDatagram {
		return w.sendDatagrams(it)
	}
	if b.escaped > 0 {
		w.f.escaped.Add(uint64(b.escaped))
	}
	w.unacked = append(w.unacked, it)
	w.pending += len(b.buf)
	if w.pending >= w.f.cfg.BufferSize {
		if err := w.write(); err != nil {
			return w.recover(err)
		}
	}
	return nil
}

// flush writes what is pending.
func (w *writer) flush() error {
	if w.framing == framingDatagram {
		return nil
	}
	if err := w.write(); err != nil {
		return w.recover(err)
	}
	return nil
}

// write writes the buffers of every unacknowledged batch to the connection
// (one writev where the transport supports it; batches are framed when
// appended, so nothing is copied here) and then acknowledges them all.
func (w *writer) write() error {
	if w.pending == 0 {
		return nil
	}
	if w.conn == nil {
		return errors.New("not connected")
	}
	if err := probe(w.conn); err != nil {
		return err
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(w.f.cfg.WriteTimeout))
	w.bufs = w.bufs[:0]
	for _, it := range w.unacked {
		it.written = true // some of its bytes may reach the receiver
		w.bufs = append(w.bufs, it.b.buf)
	}
	w.wv = w.bufs
	n, err := w.wv.WriteTo(w.conn)
	w.wv = nil
	clear(w.bufs)
	w.f.bytes.Add(uint64(n))
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	w.pending = 0
	w.failures = 0
	for _, it := range w.unacked {
		w.ackItem(it)
	}
	clear(w.unacked)
	w.unacked = w.unacked[:0]
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
		for _, it := range w.unacked {
			if it.b.framing != w.framing { // a unix socket came back as the other type
				w.pending -= len(it.b.buf)
				it.b.reframe(w.framing)
				w.pending += len(it.b.buf)
			}
			if it.written {
				w.f.resent.Add(uint64(it.b.Len()))
			}
		}
		err := w.write()
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
	w.sending = it
	defer func() { w.sending = nil }()
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
		w.f.messages.Add(1)
		if w.dgramsOK++; w.dgramsOK >= 2 {
			w.failures = 0
		}
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
					if len(w.unacked) == 0 && w.sending == nil && len(f.queue) == 0 {
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
			w.conn, w.dgramsOK = conn, 0
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
