package detect

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// stateFix returns what to do about err, the failure to save (saving set)
// or restore the state file path: the cause as a user sees it and the
// fix, naming the path. A directory or other non-file in place of the
// state file is named as such; so are permissions and a full disk.
func stateFix(path string, err error, saving bool) string {
	dir := filepath.Dir(path)
	if fi, serr := os.Lstat(path); serr == nil && !fi.Mode().IsRegular() {
		what := "a directory"
		if !fi.IsDir() {
			what = fmt.Sprintf("not a regular file (mode %s)", fi.Mode())
		}
		return fmt.Sprintf("%s is %s, not a state file: remove or move it (the state is written there at the next save)", path, what)
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("make %s and its files readable and writable by the agent's user (chown/chmod), or set state_dir to a directory it owns", dir)
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		return fmt.Sprintf("free space on the file system of %s", dir)
	case errors.Is(err, syscall.EROFS):
		return fmt.Sprintf("%s is on a read-only file system: set state_dir to a writable directory", dir)
	case saving:
		return fmt.Sprintf("check that %s is a writable directory of the agent's user with free space", dir)
	}
	return fmt.Sprintf("remove or move %s to start fresh without this warning; the next save writes it again", path)
}

// stateErr wraps err, the failure to save (saving) or restore the state
// file path, with what to do (stateFix).
func stateErr(path string, err error, saving bool) error {
	return fmt.Errorf("%w; %s", err, stateFix(path, err, saving))
}
