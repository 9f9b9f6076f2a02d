package main

import (
	"os"
	"path/filepath"
	"strconv"
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
			state, auditPath, _, args := sampleAuditRun(t, "--start-at", tc.startAt)
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

// TestCheckCheckpointTruncated: a usable checkpoint whose file was
// truncated in place since (copytruncate while the agent was stopped) is
// a warning of check naming the file, its size and the offset, and what
// run does (trial 205: check said nothing, run warned); the same file
// grown, not truncated, gets none.
func TestCheckCheckpointTruncated(t *testing.T) {
	for _, cut := range []bool{false, true} {
		state, auditPath, audit, args := sampleAuditRun(t)
		if cut {
			if err := os.Truncate(auditPath, 10); err != nil {
				t.Fatal(err)
			}
		} else {
			writeFile(t, auditPath, string(audit)+string(audit)) // grown in place
		}
		out, err := execute(t, append([]string{"check"}, args...)...)
		if err != nil {
			t.Fatalf("check: %v\n%s", err, out)
		}
		name := filepath.Join(state, checkpoint.PositionKey(auditPath)+".json")
		want := "WARNING: checkpoint " + name + ": " + auditPath + " is 10 bytes, fewer than the checkpoint's offset, " + strconv.Itoa(len(audit)) +
			": it was truncated since the agent stopped (copytruncate, or `> file`); run reads the lines the old content held after the offset from the rotated copy that holds them"
		if got := strings.Contains(out, want); got != cut {
			t.Errorf("truncated %v: warning %q in the output: %v, want %v:\n%s", cut, want, got, cut, out)
		}
	}
}

// sampleAuditRun copies the sample audit_json.log into a new log
// directory and sends it with run --once to stdout, with a new state
// directory and more run flags: it returns the state directory, the
// copy's path, its bytes and the flags (without --once) for check.
func sampleAuditRun(t *testing.T, more ...string) (state, auditPath string, audit []byte, args []string) {
	t.Helper()
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	state = filepath.Join(dir, "state")
	audit, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	auditPath = writeFile(t, filepath.Join(logs, "audit_json.log"), string(audit))
	args = append([]string{"--log-dir", logs, "--to", "stdout", "--state-dir", state}, more...)
	if r := runCmd(t, append(args, "--once")...); r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	return state, auditPath, audit, args
}

// TestCheckWatchRecordUnusable: a glob's watch record that run cannot use
// or replace is a warning of check naming the file, why, and what run
// then does (fresh-user trial 173: check called such a state valid while
// run warned, and a file rotated while the agent was stopped lost its
// copy); the record run saved gets no warning.
func TestCheckWatchRecordUnusable(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string // written over the record; "": as run saved it
		dir  bool   // a directory in its place
		want string
	}{
		{"as saved", "", false, ""},
		{"not JSON", `{"version":1,"glob":"/x`, false, "cannot be used: not valid JSON"},
		{"empty file", " \n", false, "cannot be used: the file is empty"},
		{"not a record", `[1,2]`, false, "cannot be used: valid JSON but not a watch record (a JSON array for the record)"},
		{"newer version", `{"version":7,"glob":"GLOB","listed":"2026-12-01T00:00:00Z"}`, false, "version 7, not 1 (written by a newer gitlab-syslog?)"},
		{"in the future", `{"version":1,"glob":"GLOB","listed":"2099-01-01T00:00:00Z"}`, false, "is in the future (the clock was set back?)"},
		{"a directory", "", true, "is a directory, which no record can replace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logs, state := filepath.Join(dir, "logs"), filepath.Join(dir, "state")
			writeFile(t, filepath.Join(logs, "a.log"), `{"severity":"INFO","time":"2026-12-05T10:00:00.000Z","message":"x"}`+"\n")
			glob := filepath.Join(logs, "*.log")
			cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+state+"\nforward: {url: stdout}\nsources:\n  - {type: application, path: '"+glob+"'}\n")
			if r := runCmd(t, "--config", cfg, "--once"); r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.stderr)
			}
			records, _ := filepath.Glob(filepath.Join(state, "glob-*.json"))
			if len(records) != 1 {
				t.Fatalf("run saved %d watch records, want 1: %q", len(records), records)
			}
			name := records[0]
			switch {
			case tc.dir:
				if err := os.Remove(name); err != nil {
					t.Fatal(err)
				}
				if err := os.Mkdir(name, 0o755); err != nil {
					t.Fatal(err)
				}
			case tc.data != "":
				writeFile(t, name, strings.ReplaceAll(tc.data, "GLOB", glob))
			}
			out, err := execute(t, "check", "--config", cfg)
			if err != nil {
				t.Fatalf("check: %v\n%s", err, out)
			}
			if tc.want == "" {
				if strings.Contains(out, "glob watch record") {
					t.Errorf("the record run saved is warned of:\n%s", out)
				}
				return
			}
			for _, w := range []string{"WARNING: glob watch record " + name, tc.want, "as at the glob's first start, its rotated copies not read"} {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
		})
	}
}

// TestCheckWaitRecordUnusable: a tailer's wait record (a configured path
// run waited for) that run cannot use or replace is a warning of check
// naming the file, why, and what run then does; a usable one gets none.
func TestCheckWaitRecordUnusable(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string // the record; PATH is the source's path
		dir  bool   // a directory in its place
		want string
	}{
		{"usable", `{"version":1,"path":"PATH","since":"2026-12-01T00:00:00Z"}`, false, ""},
		{"not JSON", `{"version":1,"path":"/x`, false, "cannot be used: it is not valid JSON"},
		{"not a record", `[]`, false, "is valid JSON, but not a record of its kind (a JSON array for the record)"},
		{"newer version", `{"version":3,"path":"PATH","since":"2026-12-01T00:00:00Z"}`, false, "version 3, not 1 (written by a newer agent?)"},
		{"in the future", `{"version":1,"path":"PATH","since":"2099-01-01T00:00:00Z"}`, false, "is in the future (the clock was set back?)"},
		{"another path", `{"version":1,"path":"/elsewhere.log","since":"2026-12-01T00:00:00Z"}`, false, "it is the record of another path, /elsewhere.log (whose record is wait-"},
		{"a directory", "", true, "is a directory, which no record can replace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			path := filepath.Join(dir, "logs", "application_json.log")
			cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+state+"\nforward: {url: stdout}\nsources:\n  - {type: application, path: '"+path+"'}\n")
			name := filepath.Join(state, checkpoint.WaitKey(path)+".json")
			if tc.dir {
				if err := os.MkdirAll(name, 0o755); err != nil {
					t.Fatal(err)
				}
			} else {
				writeFile(t, name, strings.ReplaceAll(tc.data, "PATH", path))
			}
			out, err := execute(t, "check", "--config", cfg)
			if err != nil {
				t.Fatalf("check: %v\n%s", err, out)
			}
			if tc.want == "" {
				if strings.Contains(out, "wait record") {
					t.Errorf("a usable wait record is warned of:\n%s", out)
				}
				return
			}
			for _, w := range []string{"WARNING: wait record " + name, tc.want, "as there at start (start_at), its rotated copies not read"} {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
		})
	}
}

// TestCheckWaitedNote: a configured path whose file has no checkpoint and
// whose wait record says the agent waited for it: check says run reads
// it from its beginning, whatever start_at (trial 201: it said only "ok,
// readable" with start_at end, while run read the whole file).
func TestCheckWaitedNote(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	path := filepath.Join(dir, "logs", "application_json.log")
	writeFile(t, path, `{"severity":"INFO","time":"2026-12-05T10:00:00.000Z","message":"x"}`+"\n")
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+state+"\nstart_at: end\nforward: {url: stdout}\nsources:\n  - {type: application, path: '"+path+"'}\n")
	for _, rec := range []string{"", `{"version":1,"path":"` + path + `","since":"2026-12-01T00:00:00Z"}`} {
		if rec != "" {
			writeFile(t, filepath.Join(state, checkpoint.WaitKey(path)+".json"), rec)
		}
		out, err := execute(t, "check", "--config", cfg)
		if err != nil {
			t.Fatalf("check: %v\n%s", err, out)
		}
		const note = "the agent waited for it since 2026-12-01T00:00:00Z (wait record): run reads it from its beginning whatever start_at"
		if got := strings.Contains(out, note); got != (rec != "") {
			t.Errorf("record %q: note in the output %v, want %v:\n%s", rec, got, rec != "", out)
		}
	}
}
