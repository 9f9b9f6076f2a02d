package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// patLines returns n audit lines of personal access tokens created, ids
// first.., one second apart from at.
func patLines(first, n int, at time.Time) string {
	var b strings.Builder
	for i := range n {
		id := first + i
		fmt.Fprintf(&b, `{"severity":"INFO","time":%q,"id":%d,"author_id":42,"entity_id":42,"entity_type":"User","author_name":"Alice Example","entity_path":"alice","target_id":42,"target_type":"User","target_details":"Alice Example","custom_message":"Created personal access token with id %d","ip_address":"198.51.100.4","created_at":%q,"event_name":"personal_access_token_created"}`+"\n",
			at.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), id, id, at.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano))
	}
	return b.String()
}

// copytruncate rotates path as logrotate's copytruncate does (a copy to
// path.1, then path truncated in place) and writes data to it.
func copytruncate(t *testing.T, path, data string) {
	t.Helper()
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path+".1", string(old))
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, data)
}

// TestRunDetectsFileReplacedWhileStopped: a file truncated or rewritten in
// place while the agent was stopped keeps its device and inode, and the
// tailer reads it anew from its start; the rules must evaluate every one
// of its lines too, not take those below the offset of the stop for lines
// they folded before it (fresh-user trial 33, F1: after a copytruncate,
// one alert of 20 was raised, with nothing logged).
func TestRunDetectsFileReplacedWhileStopped(t *testing.T) {
	t0 := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		replace func(t *testing.T, path, data string)
	}{
		{"copytruncate", copytruncate},
		{"rewritten in place", func(t *testing.T, path, data string) {
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil { // O_TRUNC: the same inode
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "audit_json.log")
			writeFile(t, path, patLines(1000, 20, t0))
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), fmt.Sprintf("state_dir: %q\nforward: {url: stdout}\nsources:\n  - {type: audit, path: %q}\n", filepath.Join(dir, "st"), path))
			alerts := func(r runResult) int {
				n := 0
				for _, m := range r.msgs(t) {
					if strings.HasPrefix(m, `{"rule":"falco.pat_created"`) {
						n++
					}
				}
				return n
			}
			if r := runCmd(t, "--config", cfg, "--once"); r.err != nil || alerts(r) != 20 {
				t.Fatalf("first run: %v, %d alerts, want 20\n%s", r.err, alerts(r), r.stderr)
			}
			tc.replace(t, path, patLines(1100, 20, t0.Add(time.Hour)))
			r := runCmd(t, "--config", cfg, "--once")
			if r.err != nil || alerts(r) != 20 {
				t.Errorf("after the file was replaced: %v, %d alerts, want 20 (one per line)\n%s", r.err, alerts(r), r.stderr)
			}
			if len(r.records("detection: the file was truncated or replaced in place while stopped; the detection rules read it from its start, as the tailer does")) != 1 {
				t.Errorf("the replacement is not logged\n%s", r.stderr)
			}
		})
	}
}

// TestRunDetectsLiveTruncationAfterRestart: after a restart the rules
// skip the lines of a file at or before the position their saved state
// records (read again, folded before); a file truncated while the agent
// runs again (Omnibus's copytruncate) restarts its offsets, and its new
// lines must all be evaluated, not taken for those (fresh-user trial 34,
// F1: 0 of 1,000 alerts after a restart, or a reload that rebuilt the
// rules, then a copytruncate).
func TestRunDetectsLiveTruncationAfterRestart(t *testing.T) {
	t0 := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	path := filepath.Join(dir, "audit_json.log")
	writeFile(t, path, patLines(1000, 20, t0))
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), fmt.Sprintf("state_dir: %q\nsources:\n  - {type: audit, path: %q}\n", filepath.Join(dir, "st"), path))
	if r := runCmd(t, "--config", cfg, "--once", "--to", "stdout"); r.err != nil {
		t.Fatalf("first run: %v\n%s", r.err, r.stderr)
	}
	addr, out, errOut := daemon(t, "--config", cfg)
	waitHealth(t, addr, http.StatusOK, "ok", errOut)
	copytruncate(t, path, patLines(1100, 20, t0.Add(time.Hour))) // ids 1100.., an hour later
	deadline := time.Now().Add(15 * time.Second)
	for {
		n := strings.Count(out.String(), `{"rule":"falco.pat_created"`)
		if n == 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d alerts of falco.pat_created after the truncation, want 20 (one per new line)\n%s", n, errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
