//go:build unix

package tailer

import (
	"io"
	"os"
	"syscall"
)

// preadOnce reads from f at off with a single pread(2): unlike
// os.File.ReadAt it does not read again after a short read, which at the
// end of a regular file would cost a second call returning 0.
func preadOnce(f *os.File, p []byte, off int64) (int, error) {
	for {
		n, err := syscall.Pread(int(f.Fd()), p, off)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, &os.PathError{Op: "read", Path: f.Name(), Err: err}
		}
		if n == 0 && len(p) > 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}
