package tailer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestCheckpointHint: the hint logged with a failed checkpoint write says what
// to do about its cause; a directory in the checkpoint's place is to be
// removed, not state_dir made writable (trial 205: the hint said the
// latter, while the error said to remove it).
func TestCheckpointHint(t *testing.T) {
	s, err := checkpoint.Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	key := checkpoint.PositionKey("/var/log/gitlab/gitlab-rails/audit_json.log")
	if err := os.Mkdir(s.File(key), 0o700); err != nil {
		t.Fatal(err)
	}
	dirErr := s.Save(key, checkpoint.Position{})
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"directory in place", dirErr, "remove the directory err names (rm -r)"},
		{"permission", fmt.Errorf("write: %w", syscall.EACCES), "writable by the agent's user"},
		{"full", fmt.Errorf("write: %w", syscall.ENOSPC), "free space"},
		{"read-only", fmt.Errorf("write: %w", syscall.EROFS), "read-only"},
		{"other", fmt.Errorf("write: %w", syscall.EIO), "make state_dir a writable directory"},
	} {
		if got := CheckpointHint(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("%s: CheckpointHint(%v) = %q, want it to say %q", tc.name, tc.err, got, tc.want)
		}
	}
}
