package forwarder

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// errPeerClosed reports a connection the receiver has closed (EOF).
var errPeerClosed = errors.New("receiver closed the connection")

// writer is the Forwarder's single writer goroutine and all its state.
type writer struct {
	f       *Forwarder
	framing framing
	conn    net.Conn
	unwatch func() bool // stops the context watcher of conn
	// abort: close conn abortively (closeConn), as batches written on it
	// and not acknowledged are to be written again.
	abort bool

	unwritten []*item     // batches not yet written, in order
	pending   int         // bytes of the unacked batches
	bufs      net.Buffers // scratch: the unacked batches' buffers
	wv        net.Buffers // what WriteTo consumes (a field, so it does not escape per write)
	dgram     []byte      // scratch for truncated datagrams
	failures  int         // consecutive failures since the last successful write
	sending   *item       // datagram transports: the batch being sent
	// dgramsOK counts datagrams written on the current connection. A
	// refusal (ICMP port unreachable) of one datagram is reported by the
	// next write, so only the second success on a connection proves the
	// first was not refused and resets failures.
	dgramsOK int
	dialedOK bool // the first connection attempt was reported
	// reached: a connection was made since New (TCP connect, TLS
	// handshake, RELP open, a unix socket's connect); over UDP, whose
	// connect proves nothing, a datagram got through (dgramsOK). It picks
	// the error of a Close while reconnecting: ErrNeverReached or
	// ErrUnreachableAtClose.
	reached bool
	down    outage
	// cutWarned: a datagram was cut this way (cutSD, cutMSG) and logged
	// (warnCut).
	cutWarned [2]bool

	t tracker     // TCP and TLS: batches written but not acknowledged by the peer
	r relpSession // RELP: transactions not answered yet
	n counters
}

func newWriter(f *Forwarder) *writer {
	w := &writer{f: f, framing: f.ep.framing}
	w.r.on = f.ep.kind.relp()
	w.r.window = f.cfg.RELPWindow
	return w
}

func (w *writer) run() {
	f := w.f
	defer close(f.done)
	defer w.closeConn()
	if err := w.connect(nil); err != nil {
		w.giveUp(err)
		return
	}
	flush := newIdleTimer() // FlushInterval, while bytes are pending
	check := newIdleTimer() // while batches or transactions are outstanding
	for {
		var err error
		queue := f.queue
		if w.r.on && len(w.r.out) >= w.r.window && w.pending >= f.cfg.BufferSize {
			queue = nil // RELP window full: let Send block
		}
		select {
		case it := <-queue:
			err = w.handle(it)
			if err == nil && f.cfg.FlushInterval == 0 && len(f.queue) == 0 {
				err = w.flush()
			}
		case <-flush.C:
			flush.armed = false
			err = w.flush()
		case <-check.C:
			check.armed = false
			if err = w.poll(); err != nil {
				err = w.recover(err)
			}
		case a := <-w.r.answers:
			if err = w.answered(a); err != nil {
				err = w.recover(err)
			}
			w.r.reuse(a.txnrs)
		case <-f.stop:
			if err := w.shutdown(); err != nil {
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
		flush.set(w.pending > 0 && f.cfg.FlushInterval > 0, f.cfg.FlushInterval)
		check.set(len(w.t.inflight) > 0 || len(w.r.out) > 0, w.t.wait)
	}
}

// shutdown runs on Close: it writes everything queued and waits for the
// receiver's acknowledgement of all of it.
func (w *writer) shutdown() error {
	for {
		select {
		case it := <-w.f.queue:
			if err := w.handle(it); err != nil {
				return err
			}
			continue
		default:
		}
		break
	}
	if err := w.flush(); err != nil {
		return err
	}
	if w.r.on {
		return w.drainRELP()
	}
	return w.drain()
}

// idleTimer is a stopped timer that runs only while there is something to
// wait for.
type idleTimer struct {
	*time.Timer
	armed bool
}

func newIdleTimer() *idleTimer {
	t := &idleTimer{Timer: time.NewTimer(time.Hour)}
	t.Stop()
	return t
}

// set starts the timer for d when want and it is not running, and stops it
// when not want.
func (t *idleTimer) set(want bool, d time.Duration) {
	switch {
	case want && !t.armed:
		t.Reset(d)
		t.armed = true
	case !want && t.armed:
		t.Stop()
		t.armed = false
	}
}

// giveUp fails the Forwarder with err and acks every unacked and queued
// batch with it, until Close.
func (w *writer) giveUp(err error) {
	f := w.f
	f.fail(err)
	err = f.failure()
	if w.r.on {
		w.requeueRELP()
	} else {
		w.requeue()
	}
	for _, it := range w.unwritten {
		w.nack(it, err)
	}
	clear(w.unwritten)
	w.unwritten = w.unwritten[:0]
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
	w.n.dropped.Add(uint64(it.b.Len() - it.next))
	if it.ack != nil {
		it.ack(err)
	}
}

// ackItem acknowledges it. Datagrams were counted one by one as they were
// written (it.next); a stream batch counts all its messages here, so that
// Messages plus Dropped is every message given to Send.
func (w *writer) ackItem(it *item) {
	w.n.messages.Add(uint64(it.b.Len() - it.next))
	w.n.batches.Add(1)
	if w.f.lastErr.Load() != nil {
		w.f.lastErr.Store(nil)
	}
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
		w.n.escaped.Add(uint64(b.escaped))
	}
	w.unwritten = append(w.unwritten, it)
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

// write writes the buffers of every unwritten batch to the connection (one
// writev where the transport supports it; batches are framed when
// appended, so nothing is copied here). It then acknowledges them, or,
// when the peer's TCP acknowledgement is tracked, puts them in flight.
func (w *writer) write() error {
	if w.pending == 0 {
		return nil
	}
	if w.conn == nil {
		return errors.New("not connected")
	}
	if w.r.on {
		return w.writeRELP()
	}
	if err := w.probe(); err != nil {
		return err
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(w.f.cfg.WriteTimeout))
	if w.t.cc != nil {
		return w.writeRecords()
	}
	w.bufs = w.bufs[:0]
	for _, it := range w.unwritten {
		it.written = true // some of its bytes may reach the receiver
		w.bufs = append(w.bufs, it.b.buf[it.skip:])
	}
	w.wv = w.bufs
	n, err := w.wv.WriteTo(w.conn)
	w.wv = nil
	clear(w.bufs)
	w.n.bytes.Add(uint64(n))
	if err != nil {
		return w.writeError(err)
	}
	w.pending = 0
	w.wrote()
	for _, it := range w.unwritten {
		if w.t.rc == nil {
			w.ackItem(it)
			continue
		}
		w.t.sent += uint64(len(it.b.buf) - it.skip)
		w.t.fly(it, w.t.sent)
	}
	clear(w.unwritten)
	w.unwritten = w.unwritten[:0]
	return w.reap()
}

// writeRecords writes the unwritten batches to a TLS connection one by one,
// so that the end of each is known in the TCP stream under TLS, and puts
// them in flight.
func (w *writer) writeRecords() error {
	k := 0
	var err error
	for ; k < len(w.unwritten); k++ {
		it := w.unwritten[k]
		it.written = true
		var n int
		n, err = w.conn.Write(it.b.buf)
		w.n.bytes.Add(uint64(n))
		if err != nil {
			err = w.writeError(err)
			break
		}
		w.pending -= len(it.b.buf)
		w.t.fly(it, w.t.cc.n)
	}
	rest := copy(w.unwritten, w.unwritten[k:])
	clear(w.unwritten[rest:])
	w.unwritten = w.unwritten[:rest]
	if err != nil {
		return err
	}
	w.wrote()
	return w.reap()
}

// wrote resets the count of failures after a write on a connection that
// is proven; a young connection's are reset once it is (writer.prove).
func (w *writer) wrote() {
	if !w.t.young {
		w.failures = 0
	}
}

// writeError returns the error of a write that failed with err: one the
// close's deadline cut, one that timed out (the collector reads nothing),
// or, on a young connection (tracker.young), an ErrProtocol, as its
// closing found by probe is (youngCloseError).
func (w *writer) writeError(err error) error {
	switch {
	case w.f.ctx.Err() != nil: // Close's deadline passed: it unblocked the write (connect's unwatch)
		return fmt.Errorf("write: stopped when the close's time ran out, the collector not having read what was written: %w", err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("write: the collector read nothing for %v (its receive window stayed full: is it stalled or overloaded?): %w", w.f.cfg.WriteTimeout, err)
	}
	err = fmt.Errorf("write: %w", err)
	if w.t.young {
		return youngCloseError(err, w.t.cc != nil)
	}
	return err
}

// recover reconnects after cause and writes every unacknowledged batch
// again. It returns an error only when the Forwarder must give up.
func (w *writer) recover(cause error) error {
	if w.r.on {
		w.requeueRELP()
	} else {
		if errors.Is(cause, errPeerClosed) {
			w.settle()
		}
		w.requeue()
	}
	for {
		if err := w.connect(cause); err != nil {
			return err
		}
		if w.r.on {
			err := w.write()
			if err == nil {
				return nil
			}
			cause = err
			continue
		}
		if w.framing == framingDatagram {
			return nil
		}
		for _, it := range w.unwritten {
			if it.b.framing != w.framing { // a unix socket came back as the other type
				w.pending -= len(it.b.buf) - it.skip
				it.b.reframe(w.framing)
				if it.skip > 0 {
					it.skip = it.b.frameEnd(it.next - 1)
				}
				w.pending += len(it.b.buf) - it.skip
			}
			if it.written {
				w.n.resent.Add(uint64(it.b.Len() - it.next))
			}
		}
		err := w.write()
		if err == nil {
			return nil
		}
		cause = err
	}
}
