package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckDetectState: check warns of each file of state_dir/detect that
// run would warn of at start and works around (a rule's state file
// corrupt, the journal of delivered alerts a directory), naming the file
// and what to do, and passes (trial 52: check said nothing of a
// directory in the journal's place); a directory in a state file's place,
// over which every save fails (a rule's makes run --once exit 1), is a
// problem, its message claiming no exit status (trial 57: _positions.json's
// did not make run --once fail) (trial
// 53: check passed it with a warning). A FIFO is not opened (it would
// block). A sound state gives neither.
func TestCheckDetectState(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, dir string) // dir: state_dir/detect
		want    []string
		problem bool // check fails
	}{
		{"sound", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "engine.json"), `{"schema":1,"rule":"engine","state":{}}`)
			writeFile(t, filepath.Join(dir, "_delivered.log"), "0123456789abcdef0123456789abcdef\n")
		}, nil, false},
		{"corrupt state file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "engine.json"), `{"schema":1`)
		}, []string{"WARNING: detection state: " + "%s/engine.json: corrupt state file", "remove or move %s/engine.json to start fresh"}, false},
		{"state file a directory", func(t *testing.T, dir string) {
			mkdir(t, filepath.Join(dir, "sentinel.bruteforce.json"))
		}, []string{"problems:\n  detections: state file %s/sentinel.bruteforce.json is a directory, not a state file: every save of that state fails; remove or move it"}, true},
		{"state file a FIFO, not opened", func(t *testing.T, dir string) {
			if err := mkfifo(t, filepath.Join(dir, "_engine.json")); err != nil {
				t.Fatal(err)
			}
		}, []string{"WARNING: detection state: %s/_engine.json is not a regular file (mode p"}, false},
		{"journal a directory", func(t *testing.T, dir string) {
			mkdir(t, filepath.Join(dir, "_delivered.log"))
		}, []string{"WARNING: detection state: journal of delivered alerts not readable: %s/_delivered.log is not a regular file (mode d", "remove it if it is not a regular file"}, false},
		{"journal a FIFO, not opened", func(t *testing.T, dir string) {
			if err := mkfifo(t, filepath.Join(dir, "_delivered.log")); err != nil {
				t.Fatal(err)
			}
		}, []string{"journal of delivered alerts not readable: %s/_delivered.log is not a regular file (mode p"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			dir := filepath.Join(state, "detect")
			mkdir(t, dir)
			tc.setup(t, dir)
			cfg := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), "state_dir: "+state+"\nforward: {url: stdout}\nsources: [{type: audit, path: /var/log/gitlab/gitlab-rails/audit_json.log}]\n")
			out, err := execute(t, "check", "--config", cfg)
			if (err != nil) != tc.problem {
				t.Fatalf("check: err %v, want a problem %v:\n%s", err, tc.problem, out)
			}
			if len(tc.want) == 0 && strings.Contains(out, "detection state:") {
				t.Errorf("a sound state is warned of:\n%s", out)
			}
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "%s", dir); !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
		})
	}
}

// mkdir creates dir and its parents, or fails t.
func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestCheckLockFileNotRegular: a directory or a FIFO in the place of
// state_dir/lock is a problem in check, with run's words, as run refuses
// it (fresh-user trial 56: check said valid); the FIFO is not opened.
func TestCheckLockFileNotRegular(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string) error
		mode string
	}{
		{"directory", func(t *testing.T, path string) error { return os.Mkdir(path, 0o755) }, "d"},
		{"FIFO", mkfifo, "p"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			lock := filepath.Join(state, "lock")
			if err := tc.make(t, lock); err != nil {
				t.Fatal(err)
			}
			out, err := execute(t, "check", "--log-dir", "../../testdata", "--to", "stdout", "--state-dir", state)
			want := "--state-dir: state_dir " + state + ": " + lock + " is not a regular file (mode " + tc.mode
			if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "remove it (the lock file is created again)") {
				t.Errorf("check: err %v; want the problem %q ... remove it, in:\n%s", err, want, out)
			}
		})
	}
}

// TestCheckCheckpointNotRegular: a FIFO in the place of one of run's file
// checkpoints (tail-*.json) is a warning in check, which run then works
// around by reading the file again (fresh-user trial 56: run hung on it and
// check said nothing); a directory there is a problem, as no save can
// replace it (trial 57: check called it valid, and every run sent the file
// again); a regular checkpoint gets neither.
func TestCheckCheckpointNotRegular(t *testing.T) {
	dirState := t.TempDir()
	dir := filepath.Join(dirState, "tail-00112233445566.json")
	mkdir(t, dir)
	out, err := execute(t, "check", "--log-dir", "../../testdata", "--to", "stdout", "--state-dir", dirState)
	if want := "--state-dir: checkpoint " + dir + " is a directory, which no checkpoint can replace: run sends its file again at every start; remove it"; err == nil || !strings.Contains(out, want) {
		t.Errorf("check with a directory checkpoint: err %v; want the problem %q in:\n%s", err, want, out)
	}

	state := t.TempDir()
	writeFile(t, filepath.Join(state, "tail-0123456789abcdef.json"), `{"version":1,"path":"/var/log/x.log","fingerprint":"`+strings.Repeat("ab", 32)+`","fp_len":32,"offset":64}`+"\n")
	fifo := filepath.Join(state, "tail-fedcba9876543210.json")
	if err := mkfifo(t, fifo); err != nil {
		t.Fatal(err)
	}
	out, err = execute(t, "check", "--log-dir", "../../testdata", "--to", "stdout", "--state-dir", state)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	want := "WARNING: checkpoint " + fifo + " is not a regular file (mode p"
	if n := strings.Count(out, "WARNING: checkpoint "); n != 1 || !strings.Contains(out, want) {
		t.Errorf("%d checkpoint warnings, want one: %q, in:\n%s", n, want, out)
	}
}
