//go:build !unix

package config

import (
	"fmt"
	"io/fs"
)

// canWrite reports whether this process may create files in the directory
// dir. Without access(2) only the permission bits are checked: a directory
// without any write bit is refused; access control lists are not read.
func canWrite(dir string, fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s: read-only directory", dir)
	}
	return nil
}
