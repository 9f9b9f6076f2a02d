//go:build unix

package main

import "syscall"

// Modes for access, as access(2)'s R_OK, W_OK and X_OK.
const (
	accessRead   = 4
	accessWrite  = 2
	accessSearch = 1
)

// access reports whether this process may read, write or search (execute)
// path, as access(2) decides with the real user and group ids.
func access(path string, mode uint32) error { return syscall.Access(path, mode) }
