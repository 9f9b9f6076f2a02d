package agent

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestSymlinkedLogDirNotSentAgain: the logs read once through their real
// directory are not sent again when the same files are configured through
// a symlink to that directory, and the other way round.
func TestSymlinkedLogDirNotSentAgain(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "gitlab-rails")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "logs")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	writeAccessLines(t, filepath.Join(real, "production_json.log"), 0, 10)
	state := t.TempDir()
	run := func(d string) int {
		c := newConfig(t, "stdout://", config.Source{Type: "access", Path: filepath.Join(d, "production_json.log")})
		c.StateDir = state
		_, msgs := runOnce(t, c)
		return len(msgs)
	}
	if n := run(real); n != 10 {
		t.Fatalf("first run through %s sent %d messages, want 10", real, n)
	}
	if n := run(link); n != 0 {
		t.Errorf("run through the symlink %s sent %d messages, want 0 (already sent)", link, n)
	}
	writeAccessLines(t, filepath.Join(real, "production_json.log"), 10, 3)
	if n := run(link); n != 3 {
		t.Errorf("run through the symlink after 3 new lines sent %d messages, want 3", n)
	}
	if n := run(real); n != 0 {
		t.Errorf("run through %s again sent %d messages, want 0", real, n)
	}
}
