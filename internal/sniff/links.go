package sniff

import (
	"errors"
	"io/fs"
	"os"
)

// Dangling returns how many of paths are symbolic links whose target does
// not exist (os.Stat fails with fs.ErrNotExist where os.Lstat finds the
// link), and the first of them with its target as the link holds it. Such
// a link is what /var/log/containers holds on a node whose /var/log/pods,
// where the kubelet's links point, is not mounted where the links are
// read. It returns 0, "", "" when there is none.
func Dangling(paths []string) (n int, link, target string) {
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if n == 0 {
			link = p
			target, _ = os.Readlink(p)
		}
		n++
	}
	return n, link, target
}
