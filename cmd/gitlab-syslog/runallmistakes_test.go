package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunListsStateDirWithMistakes: run refuses a configuration with
// mistakes listing, with them and in the order of the lines, a state
// directory in which no file can be created, as check does; before, that
// one appeared only once the others were fixed.
func TestRunListsStateDirWithMistakes(t *testing.T) {
	dir := t.TempDir()
	notDir := writeFile(t, filepath.Join(dir, "plainfile"), "x")
	for _, tc := range []struct {
		name, config string
		want         []string // the error's lines, in order, after the config's path; nil: no state_dir line
	}{
		{"unwritable state_dir with a bad value", "state_dir: " + filepath.Join(notDir, "s") + "\nstart_at: middle\n", []string{
			":1: state_dir " + filepath.Join(notDir, "s") + ": ",
			`:2: start_at: "middle" is not one of beginning, end`,
		}},
		{"writable state_dir: not listed", "state_dir: " + filepath.Join(dir, "state") + "\nstart_at: middle\n", []string{
			`:2: start_at: "middle" is not one of beginning, end`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), tc.config)
			out, err := execute(t, "run", "--config", cfg, "--once", "--to", "stdout")
			if err == nil {
				t.Fatalf("run accepted it:\n%s", out)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], cfg+w) {
					t.Errorf("error %d = %q, want it to start with %q", i+1, lines[i], cfg+w)
				}
			}
		})
	}
}
