package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestCopyTruncateNotCaughtUpAgain: after a copytruncate while the agent
// ran, and a stop before any new line was written to the file, the
// tailer's checkpoint stays in the rotated copy. The first start after it
// catches the copy up for the rules; the starts after it must not, or the
// copy's events whose ids the engine has forgotten (older than its dedupe
// window: a log's history) raised their alerts again at every start and
// reload (fresh-user trial 284: all 8 alert_ids twice).
func TestCopyTruncateNotCaughtUpAgain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit_json.log")
	sample, err := os.ReadFile(filepath.Join("..", "..", "testdata", "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Type: "audit", Path: path})
	alerts := func(out []byte) int { return bytes.Count(out, []byte(" GitLab-Detections ")) }
	var first syncBuffer
	a, _, stop := runInBackground(t, c, Options{Stdout: &first})
	waitFor(t, "the sample's alerts", 10*time.Second, func() bool { return alerts([]byte(first.String())) > 0 && linesRead(t, a, path) > 0 })
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i := range 20 { // newer lines: the sample's events fall out of the dedupe window
		ts := now.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		line, _ := json.Marshal(map[string]any{"severity": "INFO", "time": ts, "author_id": 1, "entity_id": 1, "entity_type": "User",
			"author_name": "A", "target_details": fmt.Sprint("x", i), "created_at": ts})
		fmt.Fprintf(f, "%s\n", line)
	}
	f.Close()
	waitFor(t, "the new lines", 10*time.Second, func() bool { return linesRead(t, a, path) >= 45 })
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".1", data, 0o644); err != nil { // copytruncate
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	for i := range 3 {
		var out bytes.Buffer
		runToEOF(t, c, &out)
		if n := alerts(out.Bytes()); n != 0 {
			t.Errorf("start %d after the copytruncate: %d alerts, want none (the copy's lines were folded before)", i+1, n)
		}
	}
}

// TestPastTruncation: the saved positions that are past a truncation
// whose copy the tailer's checkpoint still points into, and those that
// are not, whose copy lines the start catches up.
func TestPastTruncation(t *testing.T) {
	sc := &checkpoint.Position{Fingerprint: "aa", FpLen: 1024, Offset: 500}
	folded := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		from position
		want bool
	}{
		{"anew after an earlier start (trial 284)", position{FileID: "k", Newest: folded}, true},
		{"a new line folded since", position{FileID: "k", Offset: 40, Heads: map[string]head{"k": {"bb", 1024}}, Newest: folded}, true},
		{"in the old content", position{FileID: "k", Offset: 300, Heads: map[string]head{"k": {"aa", 1024}}, Newest: folded}, false},
		{"a head over fewer bytes (saved when the file was short)", position{FileID: "k", Offset: 300, Heads: map[string]head{"k": {"cc", 500}}, Newest: folded}, false},
		{"registered at its start, nothing folded", position{FileID: "k"}, false},
		{"in another file", position{FileID: "j", Newest: folded}, false},
	} {
		if got := pastTruncation(tc.from, "k", sc); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
