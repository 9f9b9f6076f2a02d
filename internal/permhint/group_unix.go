//go:build unix

package permhint

import (
	"os"
	"syscall"
)

// fileGroup returns the group id of the file fi describes; ok is false
// where the system does not say.
func fileGroup(fi os.FileInfo) (gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Gid), true
}

// fileOwner returns the user and group ids of the file fi describes; ok
// is false where the system does not say.
func fileOwner(fi os.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}
