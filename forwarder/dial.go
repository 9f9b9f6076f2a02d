package forwarder

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
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
			if f.ctx.Err() != nil { // closing, its time run out: no reconnection
				return fmt.Errorf("forwarder: %s: %w (last error: %v)", f.ep.raw, f.ctx.Err(), cause)
			}
			w.failures++
			w.down.fail(time.Now())
			if max := f.cfg.MaxAttempts; max > 0 && w.failures >= max {
				return fmt.Errorf("forwarder: giving up on %s after %d failed attempts: %w", f.ep.raw, w.failures, cause)
			}
			delay := backoff(f.cfg.MinBackoff, f.cfg.MaxBackoff, w.failures)
			attrs := []any{"destination", f.ep.raw, "error", cause.Error(), "attempt", w.failures, "retry_in", delay}
			if h := resetHint(f.ep.kind, cause); h != "" {
				attrs = append(attrs, "hint", h)
			}
			f.cfg.Logger.Warn("forwarder: connection failed, reconnecting", attrs...)
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
						if w.reached {
							return fmt.Errorf("forwarder: closed while reconnecting to %s, which had been reached (%d messages delivered) (%w): %w",
								f.ep.raw, w.n.messages.Load(), ErrUnreachableAtClose, cause)
						}
						return fmt.Errorf("forwarder: closed before %s could be reached (%w): %w", f.ep.raw, ErrNeverReached, cause)
					}
					stop = nil
				}
			}
		}
		dialStart := time.Now()
		conn, err := w.dial()
		dialed := time.Since(dialStart)
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
			again := w.reached // a connection is re-established, not made a first time
			if f.ep.kind != transportUDP {
				w.reached = true
			}
			w.n.connected.Store(true)
			w.t.track(conn, f.ep.kind, !f.cfg.ackOnWrite, dialed)
			w.unwatch = context.AfterFunc(f.ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
			if cause != nil && again {
				w.n.reconnects.Add(1)
			}
			// After failures, a datagram socket proves nothing yet:
			// sendDatagrams reports it once a datagram got through; a
			// young TCP connection, once proven (writer.prove).
			if (w.framing != framingDatagram || w.down.attempts == 0) && !w.t.young {
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
		f.maxMsg.Store(int64(f.cfg.MaxStreamMessage)) // a stream cuts nothing, its collector may
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
	if tcp := rawTCP(w.conn); w.abort && tcp != nil {
		// An abortive close (RST): the kernel drops the bytes the peer
		// did not acknowledge, which are written again on the next
		// connection, instead of delivering them too once a stalled
		// peer reads again. What the peer acknowledged stays readable
		// in its receive buffer. TLS's close_notify is not sent: it
		// would wait behind those bytes.
		_ = tcp.SetLinger(0)
		_ = tcp.Close()
	} else {
		_ = w.conn.Close()
	}
	w.conn, w.abort = nil, false
}

// resetHint says, for cause, the error that ended a tcp:// or tls://
// connection, when it is the collector's reset, what that may have cost:
// the lines its TCP acknowledged and it had not read yet (a collector that
// closes a connection with unread data resets it, as rsyslog does at
// SIGTERM), which TCP's acknowledgement cannot tell from those it read.
// It returns "" for other errors and transports.
func resetHint(kind transport, cause error) string {
	if kind != transportTCP && kind != transportTLS || !errors.Is(cause, syscall.ECONNRESET) {
		return ""
	}
	return "the collector reset the connection (it stopped or crashed, or closed it with data unread): the lines its TCP acknowledged and it had not read yet, up to its receive buffer, may be lost; use relp:// (or relp+tls://), where the collector answers each message, if no line may be lost"
}

// rawTCP returns the TCP connection under c (plain TCP, or TLS over it);
// nil for other connections.
func rawTCP(c net.Conn) *net.TCPConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	switch c := c.(type) {
	case *net.TCPConn:
		return c
	case *countingConn:
		return c.TCPConn
	}
	return nil
}

// dialTLS connects to ep over TLS on a countingConn, so that the bytes
// under TLS can be located in the TCP stream.
func dialTLS(ctx context.Context, d *net.Dialer, ep *endpoint) (net.Conn, error) {
	raw, err := d.DialContext(ctx, "tcp", ep.addr)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(&countingConn{TCPConn: raw.(*net.TCPConn)}, ep.tls)
	start := time.Now()
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, &handshakeError{handshakeHint(err, ep.tls.GetClientCertificate != nil)}
	}
	if err := awaitVerdict(ctx, tc, time.Since(start)); err != nil {
		_ = raw.Close()
		return nil, &handshakeError{err}
	}
	return tc, nil
}

// Bounds of how long awaitVerdict waits for the collector to refuse a
// TLS connection after the handshake, and a young connection for its
// first acknowledgement's verdict (tracker.prove). The lower bound is for
// a collector on the same machine, whose connect and handshake take well
// under a millisecond: 100 ms leaves a loaded one time to refuse (rsyslog
// on two busy cores took more than 20 ms in CI).
const (
	minVerdictWait = 100 * time.Millisecond
	maxVerdictWait = time.Second
)

// awaitVerdict waits for the collector's verdict on a TLS connection
// whose handshake took hs: in TLS 1.3 the client's handshake ends when it
// sends its Finished, and the server judges the client's certificate (or
// its lack) after that, so a collector that requires one the client did
// not give, or does not trust its issuer, refuses the connection only
// then, with an alert; and a collector that asks for a certificate
// without requiring it in the handshake (rsyslog's gtls driver, in TLS 1.2
// too) checks it after the handshake and closes the connection. TCP
// acknowledges what was written before that: without the wait, every
// batch written on such a connection is lost while it looks delivered. It
// reads until twice the handshake's time has passed (at least
// minVerdictWait, at most maxVerdictWait; session tickets are consumed on
// the way) and returns nil when nothing refused the connection, else the
// refusal, with what to do. Syslog and RELP collectors send nothing
// before the client does.
func awaitVerdict(ctx context.Context, tc *tls.Conn, hs time.Duration) error {
	deadline := time.Now().Add(min(max(2*hs, minVerdictWait), maxVerdictWait))
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = tc.SetReadDeadline(deadline)
	var scratch [512]byte
	_, err := tc.Read(scratch[:])
	_ = tc.SetReadDeadline(time.Time{})
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		return nil
	}
	return refusalError(err)
}

// ErrRefused is matched (errors.Is) by the error of a TLS connection
// the collector refused or closed right after the handshake, before
// anything was written: most often for want of a client certificate it
// trusts. The error's text says what to change.
var ErrRefused = errors.New("forwarder: the collector refused the TLS connection")

// refusedError is the error of a collector that refused a TLS connection
// after the handshake: the text says what to change, and it matches
// ErrRefused and the cause.
type refusedError struct {
	msg string
	err error
}

func (e *refusedError) Error() string        { return e.msg + ": " + e.err.Error() }
func (e *refusedError) Unwrap() error        { return e.err }
func (e *refusedError) Is(target error) bool { return target == ErrRefused }

// refusalError returns the error of a collector that refused a TLS
// connection after the handshake (err: the alert, or the connection's
// end), saying what to change.
func refusalError(err error) error {
	if alert, ok := alertOf(err); ok {
		switch alert {
		case 116: // certificate_required (RFC 8446 6.2)
			return &refusedError{"the collector refused the connection after the TLS handshake: it requires a client certificate (give forward.tls.cert_file and key_file, or --cert-file and --key-file)", err}
		case 42, 43, 44, 45, 46, 48: // bad, unsupported, revoked, expired, unknown certificate; unknown CA
			return &refusedError{"the collector refused the connection after the TLS handshake: it does not accept the client certificate (is cert_file signed by a CA the collector trusts, and still valid?)", err}
		}
	}
	return &refusedError{"the collector closed the connection right after the TLS handshake, before anything was sent: it most likely requires a client certificate it trusts (give forward.tls.cert_file and key_file, or --cert-file and --key-file, signed by a CA the collector trusts; its log says why it closed)", err}
}

// certAlerts are the texts crypto/tls gives the TLS alerts (RFC 8446
// §6.2) about the client's certificate that refusalError tells apart.
var certAlerts = map[string]tls.AlertError{
	"tls: bad certificate": 42, "tls: unsupported certificate": 43, "tls: revoked certificate": 44,
	"tls: expired certificate": 45, "tls: unknown certificate": 46, "tls: unknown certificate authority": 48,
	"tls: certificate required": 116,
}

// alertOf returns the TLS alert err carries and true: a tls.AlertError,
// or an alert the peer sent, which crypto/tls returns over TCP as a
// *net.OpError of Op "remote error" around an unexported type (only its
// text, in certAlerts, tells it).
func alertOf(err error) (tls.AlertError, bool) {
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return alert, true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil {
		alert, ok := certAlerts[op.Err.Error()]
		return alert, ok
	}
	return 0, false
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

// ErrProtocol is matched (errors.Is) by the error of a connection whose
// port speaks another protocol than the URL's scheme (ProtocolError): a
// tcp:// or tls:// connection that the collector answered, or closed right
// after the first batch it read (syslog over TCP and TLS, RFC 6587 and
// 5425, is one-way, so such a port most likely speaks TLS or RELP and
// threw the batch away after its TCP had acknowledged it), and a TLS
// handshake or RELP open left unanswered or refused without a TLS alert.
// The error's text says which scheme to use where the answer tells.
var ErrProtocol = errors.New("forwarder: the collector does not take plain syslog over TCP on this port")

// ProtocolError is the error of a connection whose port speaks another
// protocol than the URL's scheme: the collector answered it, or closed it
// young (before the forwarder proved it), or a TLS handshake or RELP open
// went unanswered or was refused without a TLS alert. Its text says what
// to change; it matches ErrProtocol and its cause (errors.Is, errors.As).
// Callers that shorten an error to its root cause keep this one whole.
type ProtocolError struct {
	msg string
	err error // the cause; nil when the collector answered
}

// Error returns what happened and what to change, then the cause.
func (e *ProtocolError) Error() string {
	if e.err == nil {
		return e.msg
	}
	return e.msg + ": " + e.err.Error()
}

// Unwrap returns the cause: nil when the collector answered.
func (e *ProtocolError) Unwrap() error { return e.err }

// Is reports whether target is ErrProtocol.
func (e *ProtocolError) Is(target error) bool { return target == ErrProtocol }

// looksTLS reports whether b, the first bytes a collector sent, begin a
// TLS record (RFC 8446 5.1: content type 21 alert or 22 handshake, then
// major version 3).
func looksTLS(b []byte) bool { return len(b) >= 2 && (b[0] == 21 || b[0] == 22) && b[1] == 3 }

// looksRELP reports whether b, the first bytes a collector sent, begin a
// RELP frame (rsyslog's RELP: TXNR SP COMMAND): digits, then a space.
func looksRELP(b []byte) bool {
	return len(b) >= 2 && b[0] >= '0' && b[0] <= '9' && bytes.IndexByte(b, ' ') > 0
}

// otherProtocolError returns the error of a TCP connection (a TLS one,
// with its application data, when overTLS) on which the collector sent b,
// its first bytes: a TLS record says the port wants TLS, a RELP frame that
// it wants RELP (over TLS when overTLS).
func otherProtocolError(b []byte, overTLS bool) error {
	switch {
	case overTLS && looksRELP(b):
		return &ProtocolError{msg: "the collector answered a tls:// connection with RELP: the port expects RELP over TLS (use a relp+tls:// URL)"}
	case overTLS:
		return &ProtocolError{msg: fmt.Sprintf("the collector sent data (%q) on a tls:// connection, which a syslog receiver never does: the port speaks another protocol over TLS (RELP? check the collector's input on that port)", b)}
	case looksTLS(b):
		return &ProtocolError{msg: "the collector answered a plain tcp:// connection with TLS: the port expects TLS (use a tls:// URL, or relp+tls:// for a RELP port, with the TLS settings)"}
	case looksRELP(b):
		return &ProtocolError{msg: "the collector answered a plain tcp:// connection with RELP: the port expects RELP (use a relp:// URL, or relp+tls:// if it wants TLS)"}
	}
	return &ProtocolError{msg: fmt.Sprintf("the collector sent data (%q) on a plain tcp:// connection, which a syslog receiver never does: the port speaks another protocol (TLS? RELP? check the collector's input on that port)", b)}
}

// handshakeHint returns err, the error of a TLS handshake, as an
// ErrProtocol saying what the port may speak instead when the collector
// left the ClientHello unanswered until the timeout (a plain syslog
// receiver takes it for a message and waits for more), answered with
// something other than TLS, or closed the connection without a TLS alert
// (RELP or other plain receivers); as an ErrRefused naming the settings
// of a client certificate when the collector answered an agent without
// one (withCert false) with a handshake_failure alert, as a TLS 1.2
// collector that requires one does (OpenSSL's); else err.
func handshakeHint(err error, withCert bool) error {
	var rec tls.RecordHeaderError
	var ne net.Error
	var op *net.OpError
	switch {
	case !withCert && errors.As(err, &op) && op.Op == "remote error" && op.Err != nil && op.Err.Error() == "tls: handshake failure":
		// A TLS 1.2 server that requires a client certificate ends the
		// handshake so when the client sends none.
		return &refusedError{"the collector ended the TLS handshake (handshake_failure): it most likely requires a client certificate it trusts (give forward.tls.cert_file and key_file, or --cert-file and --key-file), or shares no TLS version (1.2 or later) or cipher suite with the agent; its log says which", err}
	case errors.As(err, &rec):
		return &ProtocolError{msg: "the collector answered the TLS handshake with something other than TLS (does the port take RELP, relp://, or plain syslog, tcp://?)", err: err}
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return &ProtocolError{msg: "the collector did not answer the TLS handshake (does the port take plain syslog, tcp://, or RELP, relp://, rather than TLS? a plain receiver may have logged the handshake as a message; or is the collector hung or overloaded? see its log)", err: err}
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET):
		return &ProtocolError{msg: "the collector closed the connection during the TLS handshake, without a TLS alert (does the port take RELP, relp://, or plain syslog, tcp://, rather than TLS?)", err: err}
	}
	return err
}

// relpOpenHint returns err, the error of reading the answer to RELP's
// open command, as an ErrProtocol saying what the port may speak
// instead: first, the first bytes of the answer when the collector sent
// some (a TLS record: the port wants TLS); else err is why nothing came
// (a timeout: a plain syslog receiver waits for more; the connection's
// end: a TLS receiver gave up on the open command).
func relpOpenHint(first []byte, err error) error {
	var ne net.Error
	if _, ok := alertOf(err); ok && !looksTLS(first) {
		return refusalError(err) // a TLS alert about the client's certificate
	}
	switch {
	case looksTLS(first):
		return &ProtocolError{msg: "the collector answered RELP's open command with TLS: the port expects TLS (use relp+tls:// for RELP over TLS, or tls:// for syslog over TLS)"}
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return &ProtocolError{msg: "the collector did not answer RELP's open command (does the port take plain syslog, tcp://, or syslog over TLS, tls://, rather than RELP? or is the collector hung or overloaded? see its log)", err: err}
	}
	return &ProtocolError{msg: "the collector closed the connection at RELP's open command (does the port expect TLS, relp+tls:// or tls://, or plain syslog, tcp://? see the collector's log)", err: err}
}

// youngCloseError returns the error of a TCP connection (a TLS one when
// overTLS) that the collector closed or reset (cause) after reading the
// first batch and before the connection was proven (see tracker.young).
func youngCloseError(cause error, overTLS bool) error {
	if overTLS {
		return &ProtocolError{msg: "the collector closed the TLS connection right after reading the first batch (was it stopped or restarted? does the port expect RELP over TLS, relp+tls://? or does the collector, or a proxy before it, close a connection after some number of messages? see the collector's log)", err: cause}
	}
	return &ProtocolError{msg: "the collector closed the connection right after reading the first batch (was it stopped or restarted? does the port expect TLS, tls://, or RELP, relp://? or does the collector, or a proxy before it, close a connection after some number of messages? see the collector's log)", err: cause}
}
