package agent

import (
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

// TestStateDirFix: the advice for a state_dir that cannot hold
// checkpoints fits its cause: a full file system is to be freed, not made
// writable (fresh-user trial 64: "make it writable" for ENOSPC).
func TestStateDirFix(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "write", Path: "/st/probe", Err: syscall.ENOSPC}, "free space (or inodes) on the file system that holds it (df -h /st; df -i /st)"},
		{&fs.PathError{Op: "write", Path: "/st/probe", Err: syscall.EDQUOT}, "free space"},
		{&fs.PathError{Op: "open", Path: "/st/probe", Err: syscall.EROFS}, "it is on a read-only file system"},
		{&fs.PathError{Op: "open", Path: "/st/probe", Err: syscall.EACCES}, "make it writable by this user"},
	} {
		if got := stateDirFix("/st", tc.err); !strings.HasPrefix(got, tc.want) {
			t.Errorf("stateDirFix(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
