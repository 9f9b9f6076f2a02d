package agent

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDetectionsOnByDefaultNoted: an agent whose configuration has no
// detections block (one kept across an upgrade from a release without
// detections) says at start that the rules are on by default and where
// the alerts go; one with a block does not. Before, it logged only
// "detections on", and alerts reached the SIEM unannounced (fresh-user
// trial 259).
func TestDetectionsOnByDefaultNoted(t *testing.T) {
	const note = "on by default: the configuration has no detections block"
	for _, tc := range []struct {
		name, block string
		want        bool
	}{
		{"no detections block", "", true},
		{"a detections block", "detections:\n  lateness: 5m\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			audit := filepath.Join(dir, "audit_json.log")
			appendLine(t, audit, patLine(1, 601))
			c := resolved(t, fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: audit, path: %s}\n%s",
				filepath.Join(dir, "state"), audit, tc.block))
			var logs syncBuffer
			_, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Stdout: new(syncBuffer)})
			waitFor(t, "the detections", 10*time.Second, func() bool { return strings.Contains(logs.String(), `"msg":"detections on"`) })
			stop()
			if got := strings.Contains(logs.String(), note); got != tc.want {
				t.Errorf("the start's log has the note %v, want %v:\n%s", got, tc.want, logs.String())
			}
		})
	}
}
