//go:build !unix

package agent

import "os"

// devIno is not available outside Unix: it returns zeros, and a file's
// identity then rests on the tailer's fingerprint alone.
func devIno(os.FileInfo) (dev, ino uint64) { return 0, 0 }
