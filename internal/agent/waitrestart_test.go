package agent

import (
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestConfiguredPathWaitAcrossRestart: a configured path (not a glob)
// without a file while the agent ran; the file appears and is rotated
// while the agent is stopped. The restart sends the rotated copy and the
// new file, each line once, with start_at end too: the tailer's wait
// record says the path had no file, so the file is new, not history
// (before, the copy was never read, and with start_at end the file
// neither).
func TestConfiguredPathWaitAcrossRestart(t *testing.T) {
	for _, startAt := range []string{"beginning", "end"} {
		t.Run("start_at "+startAt, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "application_json.log")
			addr, got := appMsgCollector(t)
			c := newConfig(t, "tcp://"+addr, config.Source{Type: "application", Path: f})
			c.StartAt = startAt
			if _, err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			c.Detections.Enabled = new(bool)
			logs := &syncBuffer{}
			opts := Options{Logger: slog.New(slog.NewTextHandler(logs, nil))}
			_, _, stop := runInBackground(t, c, opts)
			waitFor(t, "the wait", 10*time.Second, func() bool { return strings.Contains(logs.String(), "waiting for the file to appear") })
			stop()
			writeFile(t, f, numbered("a", 3))
			rename(t, f, f+".1")
			writeFile(t, f, numbered("b", 2))
			logs = &syncBuffer{}
			opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
			_, _, stop = runInBackground(t, c, opts)
			want := []string{"a-0", "a-1", "a-2", "b-0", "b-1"}
			waitFor(t, "the lines", 10*time.Second, func() bool { return len(got()) >= len(want) })
			time.Sleep(300 * time.Millisecond) // nothing more
			stop()
			if s := sentLines(got()); !slices.Equal(s, want) {
				t.Errorf("sent %q, want each once: %q", s, want)
			}
			if !strings.Contains(logs.String(), "read as new") {
				t.Errorf("the restart's log does not say the file is read as new:\n%s", logs.String())
			}
		})
	}
}
