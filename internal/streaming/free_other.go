//go:build !unix

package streaming

// freeBytes cannot tell the free space of dir here: false.
func freeBytes(dir string) (int64, bool) { return 0, false }
