package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestGlobForgetMetrics: a container line cut to max_line_bytes once its
// parts were joined counts in lines_truncated_total; a glob's file that is
// deleted and forgotten leaves no series in /metrics (counters included).
func TestGlobForgetMetrics(t *testing.T) {
	root := t.TempDir()
	var n atomic.Int64
	col, err := syslogtest.Listen("127.0.0.1:0", func([]byte) { n.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Path: filepath.Join(root, "*.log"), Format: "cri"})
	c.Detections.Enabled = new(bool)
	c.Tailer.MaxLineBytes = 2000
	a, _, stop := runInBackground(t, c, Options{GlobInterval: 20 * time.Millisecond})
	defer stop()

	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_id":1,"entity_type":"User","target_details":"` + strings.Repeat("z", 5000) + `"}`
	env := `{"date":"2024-05-01T12:00:00Z","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":` + audit + `}`
	var b strings.Builder
	for len(env) > 1000 {
		fmt.Fprintf(&b, "2024-05-01T12:00:00.1Z stdout P %s\n", env[:1000])
		env = env[1000:]
	}
	fmt.Fprintf(&b, "2024-05-01T12:00:00.1Z stdout F %s\n", env)
	path := filepath.Join(root, "web-0_gitlab_webservice-abc.log")
	writeFile(t, path, b.String())
	waitFor(t, "the cut line sent", 10*time.Second, func() bool { return n.Load() == 1 })
	waitFor(t, "lines_truncated_total 1", 5*time.Second, func() bool {
		return scrapedValue(t, a, "gitlab_syslog_lines_truncated_total", path) == 1
	})
	if got := seriesOf(t, a, path); len(got) < 11 {
		t.Fatalf("%d series for the file before its deletion, want at least 11: %q", len(got), got)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the deleted file forgotten", 20*time.Second, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.sources) == 0
	})
	if got := seriesOf(t, a, path); len(got) != 0 {
		t.Errorf("series left for the forgotten file: %q", got)
	}
}

// seriesOf returns the names of the metric series labelled with path.
func seriesOf(t *testing.T, a *Agent, path string) []string {
	t.Helper()
	mfs, err := a.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "path" && l.GetValue() == path {
					out = append(out, mf.GetName())
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
