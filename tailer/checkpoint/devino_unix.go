//go:build unix

package checkpoint

import (
	"os"
	"syscall"
)

// DevIno returns the device and inode number of fi, or zeros when fi does
// not come from a stat(2) call.
func DevIno(fi os.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}
