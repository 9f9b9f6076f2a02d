//go:build linux || openbsd || solaris

package detect

import (
	"os"
	"syscall"
)

// stampSys sets the device, inode and change time of s from fi.
func stampSys(fi os.FileInfo, s *fileStamp) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev, s.ino, s.ctime = uint64(st.Dev), st.Ino, st.Ctim.Nano()
	}
}
