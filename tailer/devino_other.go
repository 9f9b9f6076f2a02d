//go:build !unix

package tailer

import "os"

// devIno is not available: identity then rests on the fingerprint alone.
func devIno(fi os.FileInfo) (dev, ino uint64) { return 0, 0 }

// deleted cannot tell a deleted file from a renamed one without a link
// count: it reports false, and a deletion is logged as a rotation.
func deleted(*os.File) bool { return false }
