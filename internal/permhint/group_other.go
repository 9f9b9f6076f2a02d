//go:build !unix

package permhint

import "os"

// fileGroup returns the group id of the file fi describes; ok is false
// where the system does not say, as here.
func fileGroup(fi os.FileInfo) (gid int, ok bool) { return 0, false }

// fileOwner returns the user and group ids of the file fi describes; ok
// is false where the system does not say, as here.
func fileOwner(fi os.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }
