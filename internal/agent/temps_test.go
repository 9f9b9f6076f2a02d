package agent

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestStartRemovesSaveTemps: the temporary files that saves interrupted
// by kill -9 left in the state directory (a checkpoint's, the detection
// state's under detect/) are removed at the next start and logged; the
// saved files are kept (trial 252: they stayed through every restart).
func TestStartRemovesSaveTemps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gitlab_access.log")
	writeAccessLines(t, path, 0, 3)
	c := newConfig(t, "stdout://", config.Source{Type: "access", Path: path})
	temps := []string{
		filepath.Join(c.StateDir, ".tail-0123.json.tmp-2289480162"),
		filepath.Join(c.StateDir, "detect", "._positions.json.4109972043"),
	}
	kept := filepath.Join(c.StateDir, "detect", "notes.txt")
	if err := os.MkdirAll(filepath.Join(c.StateDir, "detect"), 0o750); err != nil {
		t.Fatal(err)
	}
	for _, p := range append(temps, kept) {
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	runToEOFWith(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Stdout: new(bytes.Buffer)})
	for _, p := range temps {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: %v, want it removed", p, err)
		}
		if !strings.Contains(logs.String(), p) {
			t.Errorf("the log does not name %s:\n%s", p, logs.String())
		}
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("%s: %v, want it kept", kept, err)
	}
}
