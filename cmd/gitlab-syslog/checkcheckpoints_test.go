package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestCheckCheckpointUnusable: a checkpoint that run cannot use (not
// JSON, a version it does not know, an impossible fingerprint) is a
// warning of check that names the file, why, the log file it is kept for
// and what run's start_at then does to it: skip unsent lines (end) or
// send the file again (beginning) (fresh-user trial 120: check called
// such a state valid, with no word, and run --once then sent nothing).
// One kept for no file the sources follow is called stale; a checkpoint
// run saved gets no warning.
func TestCheckCheckpointUnusable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		startAt string
		key     string // the checkpoint's key; "": the audit file's
		data    string // written over the checkpoint; "": as run saved it
		want    []string
	}{
		{"as saved", "end", "", "", nil},
		{"not JSON, start_at end", "end", "", `{"version":1,`,
			[]string{"is not valid JSON", "run ignores it and reads %a from start_at end: the lines already in the file are skipped", "they are not sent"}},
		{"not JSON, start_at beginning", "beginning", "", `{"version":1,`,
			[]string{"is not valid JSON", "run ignores it and reads %a from start_at beginning: the file is sent whole again"}},
		{"unknown version", "end", "", `{"version":9,"path":"x"}`, []string{"has version 9, want 1 to 2 (written by a newer agent?)", "reads %a from start_at end"}},
		{"no version", "end", "", `{}`, []string{"has no version (want 1 to 2): it is no record an agent wrote", "reads %a from start_at end"}},
		{"negative version", "end", "", `{"version":-1}`, []string{"has version -1, want 1 to 2: it is no record an agent wrote"}},
		{"negative offset", "end", "", `{"version":1,"fingerprint":"` + strings.Repeat("ab", 32) + `","fp_len":32,"offset":-5}`, []string{": bad offset -5 (negative); run ignores it"}},
		{"bad fingerprint", "beginning", "", `{"version":1,"fingerprint":"zz","fp_len":3}`, []string{`: bad fingerprint "zz"; run ignores it and reads %a`}},
		{"stale", "end", "tail-0123456789abcdef", `{"version":1,`, []string{"is not valid JSON", "no file the sources follow now has it: if it is a stale checkpoint"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logs, state := filepath.Join(dir, "logs"), filepath.Join(dir, "state")
			audit, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
			if err != nil {
				t.Fatal(err)
			}
			auditPath := writeFile(t, filepath.Join(logs, "audit_json.log"), string(audit))
			args := []string{"--log-dir", logs, "--to", "stdout", "--state-dir", state, "--start-at", tc.startAt}
			if r := runCmd(t, append(args, "--once")...); r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.stderr)
			}
			name := filepath.Join(state, checkpoint.PositionKey(auditPath)+".json")
			if _, err := os.Stat(name); err != nil {
				t.Fatalf("run saved no checkpoint for %s: %v", auditPath, err)
			}
			if tc.key != "" {
				name = filepath.Join(state, tc.key+".json")
			}
			if tc.data != "" {
				writeFile(t, name, tc.data)
			}
			out, err := execute(t, append([]string{"check"}, args...)...)
			if err != nil {
				t.Fatalf("check: %v\n%s", err, out)
			}
			if len(tc.want) == 0 {
				if strings.Contains(out, "WARNING: checkpoint") {
					t.Errorf("a checkpoint run saved is warned of:\n%s", out)
				}
				return
			}
			want := append([]string{"WARNING: checkpoint " + name}, tc.want...)
			for _, w := range want {
				if w = strings.ReplaceAll(w, "%a", auditPath); !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
		})
	}
}
