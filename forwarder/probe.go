//go:build unix

package forwarder

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// probe checks, without blocking, whether the receiver has closed or reset
// the connection. Syslog receivers never send application data, so a
// readable socket means EOF, an error, (TLS) a protocol record, or, on a
// plain connection, a receiver that speaks another protocol (an
// ErrProtocol naming it where its first bytes tell: otherProtocolError). Writing
// into a connection the peer already closed "succeeds" into the kernel
// buffer and loses the data (RFC 6587 §3.4; Gerhards 2008), so the writer
// probes before every write and reconnects first instead.
func probe(c net.Conn) error {
	raw := c
	tc, isTLS := c.(*tls.Conn)
	if isTLS {
		raw = tc.NetConn()
	}
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	var (
		buf  [8]byte
		n    int
		rerr error
	)
	if err := rc.Read(func(fd uintptr) bool {
		n, _, rerr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // never wait
	}); err != nil {
		return nil
	}
	switch {
	case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK || rerr == syscall.EINTR:
		return nil // nothing to read: alive
	case rerr != nil:
		return fmt.Errorf("connection check: %w", os.NewSyscallError("recvfrom", rerr))
	case n == 0:
		return errPeerClosed
	case !isTLS:
		// A syslog receiver over plain TCP sends nothing (RFC 6587):
		// the port speaks another protocol.
		return otherProtocolError(buf[:n], false)
	}
	// TLS: a record is waiting, e.g. a session ticket or a close_notify
	// alert. Let crypto/tls consume it; a timeout means the connection is
	// still usable.
	_ = tc.SetReadDeadline(time.Now().Add(time.Millisecond))
	var scratch [512]byte
	n, err = tc.Read(scratch[:])
	_ = tc.SetReadDeadline(time.Time{})
	var ne net.Error
	switch {
	case n > 0:
		// Application data: a syslog receiver over TLS (RFC 5425) sends
		// none, so the port speaks another protocol over TLS.
		return otherProtocolError(scratch[:min(n, 8)], true)
	case err == nil || (errors.As(err, &ne) && ne.Timeout()):
		return nil
	case errors.Is(err, io.EOF):
		return errPeerClosed
	}
	return fmt.Errorf("connection check: %w", err)
}
