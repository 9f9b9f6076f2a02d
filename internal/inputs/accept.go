package inputs

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// Accept back-off bounds: after a temporary accept error (no file
// descriptor left, no buffer memory) the input waits acceptBackoffMin,
// doubling up to acceptBackoffMax, as net/http's Server.Serve does.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
	// acceptLogEvery bounds the logging of temporary accept errors to
	// one line per interval; every error is counted.
	acceptLogEvery = time.Minute
)

// acceptRetry is the state of the accept loop's back-off.
type acceptRetry struct {
	delay   time.Duration
	lastLog time.Time
	missed  uint64 // errors not logged since lastLog
}

// temporaryAccept reports whether an accept error passes: the process or
// system ran out of file descriptors (EMFILE, ENFILE) or buffer memory
// (ENOBUFS, ENOMEM), or the error says it is temporary.
func temporaryAccept(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM} {
		if errors.Is(err, e) {
			return true
		}
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// acceptFailed counts a temporary accept error, logs it at most once per
// acceptLogEvery and waits the back-off delay. It returns false when the
// server was shut down meanwhile.
func (s *Server) acceptFailed(r *acceptRetry, err error, done <-chan struct{}) bool {
	s.c.acceptErrors.Add(1)
	if r.delay == 0 {
		r.delay = acceptBackoffMin
	} else {
		r.delay = min(2*r.delay, acceptBackoffMax)
	}
	if now := time.Now(); now.Sub(r.lastLog) >= acceptLogEvery {
		s.log.Error("inputs: accept failed; retrying (raise LimitNOFILE or lower max_connections if out of file descriptors)",
			"listen", s.cfg.Listen, "err", err, "retry_in", r.delay, "errors_not_logged", r.missed)
		r.lastLog, r.missed = now, 0
	} else {
		r.missed++
	}
	t := time.NewTimer(r.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}
