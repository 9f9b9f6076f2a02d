package agent

import (
	"log/slog"
	"os"
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
// neither). A copy from before the wait is not read, and the log says
// so, not of the copy read (trial 200: it advised sending it).
func TestConfiguredPathWaitAcrossRestart(t *testing.T) {
	for _, startAt := range []string{"beginning", "end"} {
		t.Run("start_at "+startAt, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "application_json.log")
			writeFile(t, f+".2", numbered("old", 2)) // history: not sent
			hourAgo := time.Now().Add(-time.Hour)
			if err := os.Chtimes(f+".2", hourAgo, hourAgo); err != nil {
				t.Fatal(err)
			}
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
			for _, w := range []string{"read as new", "rotated copies last written before the agent last waited for the path", f + ".2"} {
				if !strings.Contains(logs.String(), w) {
					t.Errorf("the restart's log lacks %q:\n%s", w, logs.String())
				}
			}
			if strings.Contains(logs.String(), "older than this first start") || strings.Contains(logs.String(), f+".1,") {
				t.Errorf("the restart's log says a copy it reads is not read:\n%s", logs.String())
			}
		})
	}
}
