//go:build unix

package agent

import (
	"os"
	"syscall"
)

// devIno returns the device and inode number of fi, or zeros when fi does
// not come from a stat(2) call.
func devIno(fi os.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}
