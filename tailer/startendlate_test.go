package tailer

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartEndLateWarned: with start_at end, a file that cannot be opened
// at start (here a directory at the path; for the agent, permission
// denied) is read from its end once it can be, so the lines written to it
// meanwhile are skipped: the tailer warns, naming since when and how many
// bytes (fresh-user trial 284: 10 access lines skipped without a word).
// A file that opens at once is not warned about.
func TestStartEndLateWarned(t *testing.T) {
	for _, late := range []bool{true, false} {
		t.Run(map[bool]string{true: "unreadable at start", false: "readable at start"}[late], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gitlab_access.log")
			if late {
				if err := os.Mkdir(path, 0o755); err != nil {
					t.Fatal(err)
				}
			} else {
				writeFile(t, path, "old\n")
			}
			cfg := testConfig(t, path)
			cfg.StartAt = StartEnd
			var logs lockedBuffer
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, nil)
			if late {
				waitFor(t, "the open error", func() bool { return tl.OpenError() != nil })
				time.Sleep(20 * time.Millisecond) // the file is written after the first failure
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				writeFile(t, path, "written while unreadable\n")
			}
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			appendFile(t, path, "new\n")
			c.waitN(1)
			c.stop()
			checkExactly(t, c.texts(), []string{"new"})
			warned := strings.Contains(logs.String(), "start_at: end applied only now that the file can be read")
			if warned != late {
				t.Errorf("warned %v, want %v; log:\n%s", warned, late, logs.String())
			}
			if late && !strings.Contains(logs.String(), "skipped_bytes=25") {
				t.Errorf("the warning does not count the 25 bytes skipped:\n%s", logs.String())
			}
		})
	}
}

// waitFor waits up to 10 s for cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
