//go:build linux

package forwarder

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// ackTracking reports whether unackedBytes works here: on Linux a TCP or
// TLS batch is acknowledged only once the receiver's TCP acknowledged its
// last byte.
const ackTracking = true

// unackedBytes returns the bytes of the TCP socket rc that the peer has not
// acknowledged yet: those still in the send queue, sent or not (SIOCOUTQ,
// which is snd.write_seq − snd.una, see tcp(7)).
func unackedBytes(rc syscall.RawConn) (int, error) {
	var (
		n    int
		ierr error
	)
	if err := rc.Control(func(fd uintptr) {
		n, ierr = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
	}); err != nil {
		return 0, fmt.Errorf("unacknowledged bytes: %w", err)
	}
	if ierr != nil {
		return 0, fmt.Errorf("unacknowledged bytes: ioctl SIOCOUTQ: %w", ierr)
	}
	return n, nil
}
