//go:build !unix

package tailer

import "os"

// preadOnce reads from f at off.
func preadOnce(f *os.File, p []byte, off int64) (int, error) { return f.ReadAt(p, off) }
