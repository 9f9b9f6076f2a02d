package spool

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// reserve allocates n bytes of disk to f after its first size bytes
// without changing its size (fallocate(2) with FALLOC_FL_KEEP_SIZE), so
// that a write of them cannot fail for want of space. It returns the
// error that says there is no room (ENOSPC, EDQUOT, EFBIG): nothing was
// written then. A file system that cannot preallocate (EOPNOTSUPP,
// ENOSYS, EINVAL) reserves nothing, and nil is returned.
func reserve(f *os.File, size int64, n int) error {
	if n <= 0 {
		return nil
	}
	for {
		err := unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_KEEP_SIZE, size, int64(n))
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOSPC), errors.Is(err, unix.EDQUOT), errors.Is(err, unix.EFBIG):
			return &os.PathError{Op: "fallocate", Path: f.Name(), Err: err}
		}
		return nil
	}
}
