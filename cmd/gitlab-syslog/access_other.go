//go:build !unix

package main

import (
	"errors"
	"os"
)

// Modes for access, as access(2)'s R_OK, W_OK and X_OK.
const (
	accessRead   = 4
	accessWrite  = 2
	accessSearch = 1
)

// access approximates access(2) where it does not exist: path must exist,
// and for accessWrite carry a write permission bit. Access control lists
// are not read.
func access(path string, mode uint32) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if mode&accessWrite != 0 && fi.Mode().Perm()&0o222 == 0 {
		return errors.New("read-only")
	}
	return nil
}

// fileOwner returns the user id that owns the file fi describes; ok is
// false where the system does not say, as here.
func fileOwner(fi os.FileInfo) (uid int, ok bool) { return 0, false }
