//go:build !linux

package forwarder

import (
	"errors"
	"syscall"
)

// ackTracking is false where the unacknowledged bytes of a socket cannot be
// read: a TCP or TLS batch is acknowledged once it was written to the
// socket.
const ackTracking = false

// unackedBytes is not supported here; see ackTracking.
func unackedBytes(syscall.RawConn) (int, error) { return 0, errors.ErrUnsupported }
