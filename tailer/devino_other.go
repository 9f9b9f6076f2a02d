//go:build !unix

package tailer

import "os"

// devIno is not available: identity then rests on the fingerprint alone.
func devIno(fi os.FileInfo) (dev, ino uint64) { return 0, 0 }
