package forwarder

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// Acknowledged delivery over TCP and TLS. Where the kernel reports how many
// bytes of a TCP socket the peer has not acknowledged yet (ackTracking), a
// written batch waits in the writer's in-flight list until the peer's TCP
// acknowledged its last byte; only then is its ack called. A batch the
// kernel accepted but the peer never acknowledged is written again after a
// reconnect (the receiver may see it twice; it never misses it). What the
// receiver acknowledged but held unread in its receive buffer when it died
// is still lost; only an application-level acknowledgement (RELP) closes
// that window.

// Bounds of the delay between two checks of the unacknowledged bytes while
// batches are in flight. The delay starts at minPoll and doubles while the
// peer acknowledges nothing, so that a stalled peer costs a few syscalls a
// second.
const (
	minPoll = time.Millisecond
	maxPoll = 100 * time.Millisecond
)

// flight is a batch written to a TCP connection whose last byte the peer has
// not acknowledged yet.
type flight struct {
	it  *item
	end uint64 // stream offset just past the batch's last byte (TLS: of its last record)
}

// tracker is the writer's state for acknowledged delivery on one
// connection.
type tracker struct {
	rc       syscall.RawConn // the TCP socket; nil: batches are acked once written
	cc       *countingConn   // TLS: counts the bytes under TLS; nil for plain TCP
	sent     uint64          // plain TCP: bytes written on the connection
	acked    uint64          // stream offset the peer acknowledged at the last check
	inflight []flight        // in stream order
	progress time.Time       // last time the peer acknowledged something
	wait     time.Duration   // delay before the next check
	// young: a connection not proven yet, whose batches are not acked
	// though the peer's TCP acknowledged them (see prove).
	young   bool
	verdict time.Duration // how long prove waits after the peer's first acknowledgement
	proveAt time.Time     // when prove may end young; zero until the peer acknowledged a byte
}

// track prepares acknowledged delivery for a new connection c: plain TCP,
// or TLS over a countingConn; with on false, or for other transports,
// batches are acked once written. A tracked connection starts young (see
// prove), held for twice dialed (the time its connect, and its TLS
// handshake and verdict, took), at least minVerdictWait and at most
// maxVerdictWait.
func (t *tracker) track(c net.Conn, kind transport, on bool, dialed time.Duration) {
	t.rc, t.cc, t.sent, t.acked, t.wait = nil, nil, 0, 0, minPoll
	t.young, t.proveAt = false, time.Time{}
	t.verdict = min(max(2*dialed, minVerdictWait), maxVerdictWait)
	if !on || !ackTracking || (kind != transportTCP && kind != transportTLS) {
		return
	}
	var tcp *net.TCPConn
	switch c := c.(type) {
	case *net.TCPConn:
		tcp = c
	case *tls.Conn:
		cc, ok := c.NetConn().(*countingConn)
		if !ok {
			return
		}
		t.cc, tcp = cc, cc.TCPConn
	default:
		return
	}
	if rc, err := tcp.SyscallConn(); err == nil {
		t.rc = rc
		t.young = true
	}
}

// pos returns the offset of the next byte written to the TCP stream.
func (t *tracker) pos() uint64 {
	if t.cc != nil {
		return t.cc.n
	}
	return t.sent
}

// fly adds it, written up to stream offset end, to the in-flight list.
func (t *tracker) fly(it *item, end uint64) {
	if len(t.inflight) == 0 {
		t.progress = time.Now()
	}
	t.inflight = append(t.inflight, flight{it: it, end: end})
}

// reap reads how far the peer acknowledged the stream and acks, in order,
// every in-flight batch it acknowledged completely. It fails when the
// socket cannot be queried, or when the peer acknowledged nothing for
// timeout while batches are in flight.
func (w *writer) reap() error {
	t := &w.t
	if len(t.inflight) == 0 {
		return nil
	}
	q, err := w.reapAcked()
	if err != nil {
		return err
	}
	if timeout := w.f.cfg.WriteTimeout; len(t.inflight) > 0 && time.Since(t.progress) > timeout {
		return fmt.Errorf("receiver acknowledged no byte for %v (%d bytes outstanding)", timeout, q)
	}
	return nil
}

// reapAcked reads how far the peer acknowledged the stream and acks, in
// order, every in-flight batch it acknowledged completely. It returns the
// bytes still unacknowledged. The count stays readable after the peer
// closed or reset the connection, so that a reconnect resends only what
// the peer never acknowledged.
func (w *writer) reapAcked() (int, error) {
	t := &w.t
	q, err := unackedBytes(t.rc)
	if err != nil {
		return 0, err
	}
	pos := t.pos()
	acked := pos - min(uint64(q), pos)
	if acked > t.acked {
		t.acked, t.progress, t.wait = acked, time.Now(), minPoll
	}
	if t.young {
		if err := w.prove(); err != nil || t.young {
			return q, err
		}
	}
	k := 0
	for k < len(t.inflight) && t.inflight[k].end <= acked {
		w.ackItem(t.inflight[k].it)
		k++
	}
	if k > 0 {
		n := copy(t.inflight, t.inflight[k:])
		clear(t.inflight[n:])
		t.inflight = t.inflight[:n]
	}
	return q, nil
}

// prove ends the youth of a TCP or TLS connection (tracker.young) once the
// peer's TCP acknowledged a byte of it and then verdict passed with the
// connection still open (probe). Until then no batch written on it is
// acked: a port that speaks another protocol (TLS or RELP behind a plain
// tcp:// URL, RELP over TLS behind a tls:// one) reads the first batch,
// TCP acknowledges it, and the collector closes the connection, answering
// first or not (as rsyslog's and syslog-ng's TLS and RELP inputs and the
// agent's own do); acking on the TCP acknowledgement lost that batch on
// every connection.
// It returns the error of a connection that failed its proof: the
// batches held are then written again after reconnecting, and the
// reconnects back off, as failed connects do (writer.failures is reset
// only by a proven connection). A young connection delays the acks of
// its first batches by about verdict plus one poll (maxPoll).
func (w *writer) prove() error {
	t := &w.t
	if t.acked == 0 || w.conn == nil {
		return nil
	}
	now := time.Now()
	if t.proveAt.IsZero() {
		t.proveAt = now.Add(t.verdict)
	}
	if now.Before(t.proveAt) {
		return nil
	}
	if err := w.probe(); err != nil {
		return err
	}
	t.young = false
	w.failures = 0
	w.down.connected(w.f, now)
	return nil
}

// probe is probe on the writer's connection; the closing of a young
// connection (tracker.young) is an ErrProtocol (youngCloseError).
func (w *writer) probe() error {
	err := probe(w.conn)
	if err != nil && w.t.young && !errors.Is(err, ErrProtocol) {
		return youngCloseError(err, w.t.cc != nil)
	}
	return err
}

// poll runs when the check timer fires while batches are in flight: it
// reaps, and when the peer acknowledged nothing new it checks that the
// connection is still open (a reset peer never acknowledges) and waits
// longer before the next check.
func (w *writer) poll() error {
	if w.r.on {
		w.t.wait = w.relpCheck()
		return w.relpStalled()
	}
	before := w.t.acked
	if err := w.reap(); err != nil {
		return err
	}
	if w.t.acked == before && len(w.t.inflight) > 0 {
		if err := w.probe(); err != nil {
			return err
		}
		w.t.wait = min(2*w.t.wait, maxPoll)
	}
	return nil
}

// drain waits, on Close, until the peer acknowledged every in-flight
// batch, reconnecting and resending as needed. It fails when the
// Forwarder's context ends first or the writer must give up.
func (w *writer) drain() error {
	for len(w.t.inflight) > 0 {
		tm := time.NewTimer(w.t.wait)
		select {
		case <-tm.C:
		case <-w.f.ctx.Done():
			tm.Stop()
			return fmt.Errorf("forwarder: %s: %w while waiting for the receiver's acknowledgement", w.f.ep.raw, w.f.ctx.Err())
		}
		if err := w.poll(); err != nil {
			if err := w.recover(err); err != nil {
				return err
			}
		}
	}
	return nil
}

// settleQuiet is how long settle waits for a receiver that closed its side
// to acknowledge more of what is in flight.
const settleQuiet = 200 * time.Millisecond

// settle runs after the receiver closed its side of the connection (EOF):
// a receiver shutting down gracefully reads on until the sender closes, so
// settle waits until it has acknowledged every batch in flight, or has
// acknowledged nothing for settleQuiet, or WriteTimeout passed. What it
// acknowledged is not sent again.
func (w *writer) settle() {
	t := &w.t
	if t.rc == nil {
		return
	}
	start, last := time.Now(), time.Now()
	for len(t.inflight) > 0 && time.Since(last) < settleQuiet && time.Since(start) < w.f.cfg.WriteTimeout {
		if w.f.ctx.Err() != nil {
			return
		}
		before := t.acked
		if _, err := w.reapAcked(); err != nil {
			return
		}
		if t.acked != before {
			last = time.Now()
		}
		if len(t.inflight) > 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// skipAcked notes, for fl, the first batch in flight on a plain TCP
// connection that failed, the frames at its start that the peer's TCP
// acknowledged whole: they count delivered (Stats.Messages) and are not
// written again on the next connection (item.skip, item.next), so that a
// collector that stalls and is given up on again and again gets the
// messages of its receive buffer once, not once per connection. A frame
// acknowledged in part is written again whole, and nothing is skipped on
// a connection not proven yet (tracker.young).
func (w *writer) skipAcked(fl flight) {
	it, b := fl.it, fl.it.b
	start := fl.end - uint64(len(b.buf)-it.skip) // where this connection's bytes of the batch began
	if w.t.young || w.t.acked <= start {
		return // on a connection not proven, TCP's acknowledgement is no delivery (see prove)
	}
	acked := it.skip + int(w.t.acked-start) // bytes of b.buf acknowledged
	k := it.next
	for k < b.Len() && b.frameEnd(k) <= acked {
		k++
	}
	if k == it.next || k == b.Len() {
		return
	}
	w.n.messages.Add(uint64(k - it.next))
	it.next, it.skip = k, b.frameEnd(k-1)
}

// requeue acks what the peer acknowledged before the connection failed,
// and puts the other in-flight batches back in front of the unwritten
// ones, to be written again on the next connection.
func (w *writer) requeue() {
	t := &w.t
	if len(t.inflight) == 0 {
		return
	}
	_, _ = w.reapAcked() // on error, everything in flight is resent
	if len(t.inflight) == 0 {
		return
	}
	w.abort = true // the batches go again: the kernel must not deliver them too
	if t.cc == nil {
		w.skipAcked(t.inflight[0])
	}
	its := make([]*item, 0, len(t.inflight)+len(w.unwritten))
	for _, fl := range t.inflight {
		its = append(its, fl.it)
		w.pending += len(fl.it.b.buf) - fl.it.skip
	}
	w.unwritten = append(its, w.unwritten...)
	clear(t.inflight)
	t.inflight = t.inflight[:0]
}
