package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestOnceUnfinishedParts: a container log that ends in the parts of a line
// whose last part never comes (P records without their F). --once ends
// (after DefaultCarryTimeout) with the parts sent raw on their own, counted as
// unwrap errors and parse failures (stdout, and stderr with
// other_subcomponents: forward) or as dropped lines (stderr with drop); a
// second run starts after them and sends nothing.
func TestOnceUnfinishedParts(t *testing.T) {
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_type":"User"}`
	env := `{"date":"2024-05-01T12:00:00Z","component":"gitlab","subcomponent":"audit_json","level":"info","message":` + audit + `}`
	full := "2024-05-01T12:00:00.1Z stdout F " + env + "\n"
	for _, tc := range []struct {
		name, parts, others string
		want                []string // APP-NAME and MSG of the messages after the audit line
		unwrapErrs, dropped float64
	}{
		{"stdout", "2024-05-01T12:00:01.1Z stdout P " + env[:20] + "\n2024-05-01T12:00:01.2Z stdout P " + env[20:40] + "\n", "drop",
			[]string{"GitLab-Logs " + env[:40]}, 1, 0},
		{"stderr forwarded", "2024-05-01T12:00:01.1Z stderr P panic: \n2024-05-01T12:00:01.2Z stderr P runtime error\n", "forward",
			[]string{"GitLab-Logs panic: runtime error"}, 1, 0},
		{"stderr dropped", "2024-05-01T12:00:01.1Z stderr P panic: \n", "drop", nil, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each waits DefaultCarryTimeout
			path := filepath.Join(t.TempDir(), "0.log")
			if err := os.WriteFile(path, []byte(full+tc.parts), 0o644); err != nil {
				t.Fatal(err)
			}
			c := newConfig(t, "stdout://", config.Source{Path: path, Format: "cri", OtherSubcomponents: tc.others})
			c.Detections.Enabled = new(bool)
			a, msgs := runOnce(t, c)
			want := append([]string{config.AppNameAudit + " " + audit}, tc.want...)
			var got []string
			for _, m := range msgs {
				got = append(got, string(m.AppName)+" "+string(m.Msg))
			}
			if !slices.Equal(got, want) {
				t.Errorf("messages:\n got %q\nwant %q", got, want)
			}
			if v := scrapedValue(t, a, "gitlab_syslog_unwrap_errors_total", path); v != tc.unwrapErrs {
				t.Errorf("unwrap_errors_total = %v, want %v", v, tc.unwrapErrs)
			}
			if v := scrapedValue(t, a, "gitlab_syslog_parse_failures_total", path); v != tc.unwrapErrs {
				t.Errorf("parse_failures_total = %v, want %v", v, tc.unwrapErrs)
			}
			if v := scrapedValue(t, a, "gitlab_syslog_lines_dropped_total", path); v != tc.dropped {
				t.Errorf("lines_dropped_total = %v, want %v", v, tc.dropped)
			}
			var out bytes.Buffer
			runToEOF(t, c, &out)
			if out.Len() != 0 {
				t.Errorf("second run sent %q, want nothing", out.String())
			}
		})
	}
}

// TestGlobDeletedWithParts: a container log deleted (its pod gone) while
// it ends in the parts of a line is forgotten only once those parts were
// sent raw, after Options.CarryTimeout; until then its checkpoint stays.
func TestGlobDeletedWithParts(t *testing.T) {
	root := t.TempDir()
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr, config.Source{Path: filepath.Join(root, "*_gitlab_webservice-*.log"), Format: "cri"})
	c.Detections.Enabled = new(bool)
	// Longer than the tailer's wait for late writes to a deleted file.
	const carry = 8 * time.Second
	a, _, stop := runInBackground(t, c, Options{GlobInterval: 20 * time.Millisecond, CarryTimeout: carry})
	defer stop()
	path := filepath.Join(root, "web-0_gitlab_webservice-abc.log")
	writeFile(t, path, "2024-05-01T12:00:01.1Z stdout P first part, \n")
	waitFor(t, "the file followed", 10*time.Second, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.sources) == 1
	})
	waitFor(t, "the P record read", 10*time.Second, func() bool {
		return scrapedValue(t, a, "gitlab_syslog_lines_read_total", path) == 1
	})
	key := checkpointFile(t, c.StateDir, path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	deleted := time.Now()
	waitFor(t, "the deleted file forgotten", 20*time.Second, func() bool {
		a.mu.Lock()
		n := len(a.sources)
		a.mu.Unlock()
		_, err := os.Stat(key)
		return n == 0 && os.IsNotExist(err)
	})
	if d := time.Since(deleted); d < carry-time.Second {
		t.Errorf("forgotten %v after the deletion, before the parts were sent", d)
	}
	msgs := got()
	if want := []string{"GitLab-Logs first part, "}; !slices.Equal(msgs, want) {
		t.Errorf("messages %q, want %q", msgs, want)
	}
}
