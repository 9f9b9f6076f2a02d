//go:build unix

package main

import (
	"os"
	"syscall"
)

// Modes for access, as access(2)'s R_OK, W_OK and X_OK.
const (
	accessRead   = 4
	accessWrite  = 2
	accessSearch = 1
)

// access reports whether this process may read, write or search (execute)
// path, as access(2) decides with the real user and group ids.
func access(path string, mode uint32) error { return syscall.Access(path, mode) }

// fileOwner returns the user id that owns the file fi describes; ok is
// false where the system does not say.
func fileOwner(fi os.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
