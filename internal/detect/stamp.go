package detect

import "os"

// fileStamp tells one version of a file from another without reading it:
// its size and modification time, and where the system gives them
// (stampSys), its device and inode (another file: a rename over it) and
// its change time (rewritten in place with its old modification time and
// size, as cp -p does). Stamps compare with ==.
type fileStamp struct {
	size, mtime int64 // bytes; Unix ns
	dev, ino    uint64
	ctime       int64 // Unix ns
}

// stampOf returns the stamp of the file fi describes.
func stampOf(fi os.FileInfo) fileStamp {
	s := fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	stampSys(fi, &s)
	return s
}
