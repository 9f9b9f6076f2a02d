//go:build unix && !linux && !openbsd && !solaris && !darwin && !freebsd && !netbsd

package detect

import (
	"os"
	"syscall"
)

// stampSys sets the device and inode of s from fi (AIX, DragonFly: its change time
// is not taken, so a file rewritten in place with its old modification
// time and size is only seen by a SIGHUP).
func stampSys(fi os.FileInfo, s *fileStamp) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev, s.ino = uint64(st.Dev), uint64(st.Ino)
	}
}
