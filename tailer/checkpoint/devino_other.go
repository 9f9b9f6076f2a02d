//go:build !unix

package checkpoint

import "os"

// DevIno is not available outside Unix: it returns zeros, and a file's
// identity then rests on its fingerprint alone.
func DevIno(os.FileInfo) (dev, ino uint64) { return 0, 0 }
