package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckDetectState: check warns of each file of state_dir/detect that
// run would warn of at start (a rule's state file corrupt or a directory,
// the journal of delivered alerts a directory), naming the file and what
// to do, and passes, as run starts with them (trial 52: check said
// nothing of a directory in the journal's place). A sound state gives no
// such warning.
func TestCheckDetectState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string) // dir: state_dir/detect
		want  []string
	}{
		{"sound", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "engine.json"), `{"schema":1,"rule":"engine","state":{}}`)
			writeFile(t, filepath.Join(dir, "_delivered.log"), "0123456789abcdef0123456789abcdef\n")
		}, nil},
		{"corrupt state file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "engine.json"), `{"schema":1`)
		}, []string{"WARNING: detection state: " + "%s/engine.json: corrupt state file", "remove or move %s/engine.json to start fresh"}},
		{"state file a directory", func(t *testing.T, dir string) {
			mkdir(t, filepath.Join(dir, "sentinel.bruteforce.json"))
		}, []string{"%s/sentinel.bruteforce.json is a directory, not a state file: remove or move it"}},
		{"journal a directory", func(t *testing.T, dir string) {
			mkdir(t, filepath.Join(dir, "_delivered.log"))
		}, []string{"WARNING: detection state: journal of delivered alerts not readable: read %s/_delivered.log: is a directory", "remove it if it is not a regular file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			dir := filepath.Join(state, "detect")
			mkdir(t, dir)
			tc.setup(t, dir)
			cfg := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), "state_dir: "+state+"\nforward: {url: stdout}\nsources: [{type: audit, path: /var/log/gitlab/gitlab-rails/audit_json.log}]\n")
			out, err := execute(t, "check", "--config", cfg)
			if err != nil {
				t.Fatalf("check failed: %v\n%s", err, out)
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
