//go:build unix

package inputs

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestAcceptOutOfFiles: when accept fails because the process ran out of
// file descriptors (RLIMIT_NOFILE), the input counts the error, backs off
// and keeps serving once descriptors are free again.
func TestAcceptOutOfFiles(t *testing.T) {
	s := startServer(t, Config{Listen: "tcp://127.0.0.1:0"})
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	low := orig
	low.Cur = uint64(len(fds) + 16)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer restore()
	// Dial until this process has no descriptor left: the last
	// connection waits in the backlog and the server's accept fails.
	var clients []net.Conn
	var dialErr error
	for range 64 {
		c, err := net.DialTimeout("tcp", s.Addr().String(), time.Second)
		if err != nil {
			dialErr = err
			break
		}
		clients = append(clients, c)
	}
	waitFor(t, "an accept error counted", func() bool { return s.Stats().AcceptErrors > 0 })
	for _, c := range clients {
		c.Close()
	}
	restore()
	if !errors.Is(dialErr, syscall.EMFILE) {
		t.Logf("dialing stopped with %v", dialErr)
	}
	c, err := net.DialTimeout("tcp", s.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const msg = "<13>1 - node GitLab-Audit-Logs - - - after the flood"
	if _, err := fmt.Fprintf(c, "%d %s", len(msg), msg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the message after the flood spooled", func() bool {
		got := spooled(t, s)
		return len(got) > 0 && got[len(got)-1] == msg
	})
}
