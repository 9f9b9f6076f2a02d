package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestRunOnceContainerCut: a gitlab-logger audit line longer than
// max_line_bytes, split into CRI P records, goes out as a plain file's
// long line does: the audit line cut to max_line_bytes under
// GitLab-Audit-Logs, counted as truncated and logged with its joined
// length and a max_line_bytes above it (fresh-user trial 106 was told 4x
// the limit, still too small); and the --once
// totals add up: lines_read (records) = lines_sent + blank_skipped +
// parts_joined + dropped.
func TestRunOnceContainerCut(t *testing.T) {
	const max = 20000
	dir := t.TempDir()
	env := func(sub, msg string) string {
		return `{"date":"2024-05-01T12:00:00Z","component": "gitlab","subcomponent":"` + sub + `","level":"info","file":"/var/log/gitlab/` + sub + `.log","message":` + msg + `}`
	}
	short := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","target_details":"x"}`
	long := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","target_details":"` + strings.Repeat("y", 60000) + `"}`
	var b bytes.Buffer
	fmt.Fprintf(&b, "2024-05-01T12:00:00.1Z stdout F %s\n", env("audit_json", short))
	envLong := env("audit_json", long)
	e, parts := envLong, 0
	for len(e) > 5000 {
		fmt.Fprintf(&b, "2024-05-01T12:00:00.2Z stdout P %s\n", e[:5000])
		e, parts = e[5000:], parts+1
	}
	fmt.Fprintf(&b, "2024-05-01T12:00:00.2Z stdout F %s\n", e)
	fmt.Fprintf(&b, "2024-05-01T12:00:00.3Z stdout F %s\n", env("production_json", `{"method":"GET"}`))
	fmt.Fprintf(&b, "2024-05-01T12:00:00.4Z stderr F Puma starting in cluster mode...\n")
	fmt.Fprintf(&b, "2024-05-01T12:00:00.5Z stdout F \n")
	log := writeFile(t, filepath.Join(dir, "web-0_gitlab_webservice-abc.log"), b.String())
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), fmt.Sprintf("state_dir: %s\nmax_line_bytes: %d\nsources:\n  - path: %s\n    format: cri\n", filepath.Join(dir, "s"), max, log))
	r := runCmd(t, "--config", cfg, "--to", "stdout://", "--once")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		m, err := syslogtest.Parse([]byte(l))
		if err != nil {
			t.Fatalf("%v: %.200q", err, l)
		}
		got = append(got, string(m.AppName)+" "+string(m.Msg))
	}
	want := []string{"GitLab-Audit-Logs " + short, "GitLab-Audit-Logs " + long[:max]}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("sent %d messages %.300q, want %.300q", len(got), got, want)
	}
	tot := r.totals(t, log)
	records := parts + 5
	for k, v := range map[string]int{"lines_read": records, "lines_sent": 2, "blank_skipped": 1, "parts_joined": parts, "dropped": 2, "truncated": 1, "unparsed_sent_raw": 1} {
		if tot[k] != float64(v) {
			t.Errorf("%s = %v, want %d (totals %v)", k, tot[k], v, tot)
		}
	}
	cut := r.records("line longer than max_line_bytes once its parts were joined; forwarded cut to that length, the rest of it dropped")
	if n := len(cut); n != 1 {
		t.Errorf("%d warnings about the cut line, want 1; log:\n%s", n, r.stderr)
	} else {
		above := fmt.Sprintf("%dKiB", len(envLong)/1024+1)
		if hint, _ := cut[0]["hint"].(string); !strings.HasPrefix(hint, "to forward such lines whole, raise max_line_bytes, e.g. max_line_bytes: "+above+" ") {
			t.Errorf("the cut line's warning does not say to raise max_line_bytes to %s, above the joined %d bytes: hint %q", above, len(envLong), hint)
		}
		if got := cut[0]["joined_bytes"]; got != float64(len(envLong)) {
			t.Errorf("joined_bytes = %v, want %d", got, len(envLong))
		}
		if got := r.records("--once: lines were cut to max_line_bytes, the rest of each dropped"); len(got) != 1 || got[0]["longest_line_bytes"] != float64(len(envLong)) {
			t.Errorf("--once names the longest cut line as %v, want once with longest_line_bytes %d", got, len(envLong))
		}
	}
}

// TestRunOnceContainerUnfinished: parts of a line whose last part never
// comes (a file ending in CRI P records, stdout and stderr) are sent raw
// at the end of --once, one message per stream, and the totals still add
// up: the last part of each line sent or dropped is that line, not a part
// joined (fresh-user trial 88: lines_read=2 lines_sent=2 parts_joined=1).
func TestRunOnceContainerUnfinished(t *testing.T) {
	dir := t.TempDir()
	full := `{"date":"x","component": "gitlab","subcomponent":"audit_json","level":"info","file":"/var/log/gitlab/audit_json.log","message":{"severity":"INFO","time":"2026-12-02T01:00:00.000Z","author_id":1,"entity_type":"Project","target_details":"Z1"}}`
	for _, tc := range []struct {
		name, records, other string
		sent, dropped        int
	}{
		{"stdout and stderr", "2026-12-02T01:00:00.2Z stdout P {\"date\":\"x\",\n2026-12-02T01:00:00.3Z stderr P Puma\n2026-12-02T01:00:00.4Z stderr P  starting\n", "forward", 3, 0},
		{"stderr dropped", "2026-12-02T01:00:00.2Z stdout P {\"date\":\"x\",\n2026-12-02T01:00:00.3Z stderr P Puma\n", "drop", 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := writeFile(t, filepath.Join(dir, tc.other+fmt.Sprint(tc.sent), "web-0_gitlab_webservice-abc.log"), "2026-12-02T01:00:00.1Z stdout F "+full+"\n"+tc.records)
			cfg := writeFile(t, filepath.Join(filepath.Dir(log), "c.yaml"), fmt.Sprintf("state_dir: %s\nsources:\n  - path: %s\n    format: cri\n    other_subcomponents: %s\ndetections: {enabled: false}\n", filepath.Join(filepath.Dir(log), "s"), log, tc.other))
			r := runCmd(t, "--config", cfg, "--to", "stdout://", "--once")
			if r.err != nil {
				t.Fatalf("%v\n%s", r.err, r.stderr)
			}
			tot := r.totals(t, log)
			read := strings.Count(tc.records, "\n") + 1
			joined := read - tc.sent - tc.dropped
			for k, v := range map[string]int{"lines_read": read, "lines_sent": tc.sent, "parts_joined": joined, "dropped": tc.dropped} {
				if tot[k] != float64(v) {
					t.Errorf("%s = %v, want %d (totals %v)", k, tot[k], v, tot)
				}
			}
			num := func(k string) float64 { v, _ := tot[k].(float64); return v }
			if got := num("lines_sent") + num("blank_skipped") + num("parts_joined") + num("dropped"); got != num("lines_read") {
				t.Errorf("sent + blank_skipped + parts_joined + dropped = %v, lines_read %v (totals %v)", got, tot["lines_read"], tot)
			}
		})
	}
}
