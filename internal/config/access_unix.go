//go:build unix

package config

import (
	"io/fs"
	"syscall"
)

// canWrite reports whether this process may create files in the directory
// dir (write and search permission, access(2) W_OK|X_OK). fi is dir's
// FileInfo.
func canWrite(dir string, _ fs.FileInfo) error {
	return syscall.Access(dir, 2|1) // W_OK|X_OK
}
