package forwarder

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"
)

// connect dials the destination. With a nil cause it tries at once;
// otherwise it waits a backoff delay first and keeps trying until it is
// connected, the Forwarder is closed with an expired context, or
// Config.MaxAttempts consecutive failures happened.
func (w *writer) connect(cause error) error {
	f := w.f
	w.closeConn()
	for {
		if cause != nil {
			last := cause // a copy: cause changes with the next attempt
			f.lastErr.Store(&last)
			w.failures++
			w.down.fail(time.Now())
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
					if len(w.unwritten) == 0 && w.sending == nil && len(f.queue) == 0 {
						t.Stop()
						return fmt.Errorf("forwarder: closed before %s could be reached (%w): %w", f.ep.raw, ErrNeverReached, cause)
					}
					stop = nil
				}
			}
		}
		conn, err := w.dial()
		if err == nil && w.r.on {
			if err = w.r.open(conn, f.cfg.DialTimeout); err != nil {
				_ = conn.Close()
				err = fmt.Errorf("forwarder: %s: %w", f.ep.raw, err)
			}
		}
		if !w.dialedOK {
			w.dialedOK = true
			f.dialErr = err
			close(f.dialed)
		}
		if err == nil {
			w.conn, w.dgramsOK = conn, 0
			w.n.connected.Store(true)
			w.t.track(conn, f.ep.kind, !f.cfg.ackOnWrite)
			w.unwatch = context.AfterFunc(f.ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
			if cause != nil {
				w.n.reconnects.Add(1)
			}
			// After failures, a datagram socket proves nothing yet:
			// sendDatagrams reports it once a datagram got through.
			if w.framing != framingDatagram || w.down.attempts == 0 {
				w.down.connected(f, time.Now())
			}
			return nil
		}
		cause = err
	}
}

// backoff returns a delay for the n-th consecutive failure: with
// d = min(max, base·2^(n-1)), half of d plus a uniformly random part of the
// other half ("equal jitter"), so in [d/2, d) and at least 1 ms. The delays
// grow steadily with n (each at least half the largest the one before could
// be) yet spread reconnecting agents apart; at max they stay in [max/2, max).
func backoff(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	j := half
	if rest := d - half; rest > 0 {
		j += time.Duration(rand.Int64N(int64(rest)))
	}
	if j < time.Millisecond {
		j = time.Millisecond
	}
	return j
}

// outage tracks the failures since the writer last made a connection, for
// the line that logs its return.
type outage struct {
	since    time.Time // the first failure
	attempts int       // failures since the last connection
	ever     bool      // a connection was made before
}

func (o *outage) fail(now time.Time) {
	if o.attempts == 0 {
		o.since = now
	}
	o.attempts++
}

// connected logs at info a connection made after failures, so that the log
// says the destination is back after its "connection failed" warnings:
// the destination, how long it was unreachable and the failed attempts
// ("connected again", or "connected" when none was made before).
// A datagram transport calls it once a datagram written after the
// failures was not refused.
func (o *outage) connected(f *Forwarder, now time.Time) {
	if o.attempts == 0 {
		o.ever = true
		return
	}
	msg := "forwarder: connected again"
	if !o.ever {
		msg = "forwarder: connected"
	}
	f.cfg.Logger.Info(msg, "destination", f.ep.raw,
		"down_for", now.Sub(o.since).Round(time.Millisecond), "failed_attempts", o.attempts)
	*o = outage{ever: true}
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
	case ep.kind == transportTLS || ep.kind == transportRELPTLS:
		c, err = dialTLS(ctx, d, ep)
	case ep.kind == transportUnixDetect:
		c, err = d.DialContext(ctx, "unixgram", ep.addr)
		if err == nil {
			w.framing = framingDatagram
			f.maxMsg.Store(int64(f.cfg.MaxDatagram))
			break
		}
		var err2 error
		c, err2 = d.DialContext(ctx, "unix", ep.addr)
		if err2 != nil {
			err = fmt.Errorf("%w (as a stream socket: %v)", err, err2)
			break
		}
		err = nil
		f.maxMsg.Store(0) // a stream cuts nothing
		if !ep.framingSet {
			w.framing = framingLF
		}
	default:
		c, err = d.DialContext(ctx, ep.kind.network(), ep.addr)
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
	w.n.connected.Store(false)
	if w.unwatch != nil {
		w.unwatch()
		w.unwatch = nil
	}
	w.r.end()
	_ = w.conn.Close()
	w.conn = nil
}

// dialTLS connects to ep over TLS on a countingConn, so that the bytes
// under TLS can be located in the TCP stream.
func dialTLS(ctx context.Context, d *net.Dialer, ep *endpoint) (net.Conn, error) {
	raw, err := d.DialContext(ctx, "tcp", ep.addr)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(&countingConn{TCPConn: raw.(*net.TCPConn)}, ep.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, &handshakeError{err}
	}
	return tc, nil
}

// ErrHandshake is matched (errors.Is) by the error of a connection to a
// tls:// or relp+tls:// destination whose TCP connection was made but
// whose TLS handshake failed; the handshake's own error (a certificate's,
// a timeout) is matched too.
var ErrHandshake = errors.New("forwarder: TLS handshake failed")

// handshakeError is a failed TLS handshake's error, its text unchanged,
// matching ErrHandshake.
type handshakeError struct{ err error }

func (e *handshakeError) Error() string        { return e.err.Error() }
func (e *handshakeError) Unwrap() error        { return e.err }
func (e *handshakeError) Is(target error) bool { return target == ErrHandshake }
