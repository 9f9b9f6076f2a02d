//go:build unix

package streaming

import "golang.org/x/sys/unix"

// freeBytes returns the bytes free to an unprivileged writer on the file
// system of dir, and whether it could tell.
func freeBytes(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
