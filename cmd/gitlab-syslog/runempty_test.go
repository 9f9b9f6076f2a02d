package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunWarnsEmptyConfig: run --config with a file that sets nothing
// (empty, or all its lines commented out) logs a WARN at start, in check's
// words, since every setting is then a built-in default or a flag's; a
// file that sets something gets no such warning.
func TestRunWarnsEmptyConfig(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       bool
	}{
		{"empty", "", true},
		{"all commented", "# forward:\n#   url: tcp://10.0.0.1:514\n", true},
		{"sets a key", "start_at: beginning\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, filepath.Join(dir, "config.yaml"), tc.data)
			r := runCmd(t, "--config", cfg, "--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", filepath.Join(dir, "st"))
			if r.err != nil {
				t.Fatalf("run: %v\n%s", r.err, r.stderr)
			}
			want := "config: " + cfg + ": it sets nothing: every setting is a built-in default or a flag's (an empty or all-commented file: is it the right one?)"
			recs := r.records(want)
			if got := len(recs) == 1 && recs[0]["level"] == "WARN"; got != tc.want {
				t.Errorf("WARN %q logged once: %v, want %v:\n%s", want, got, tc.want, grepLines(r.stderr, `"level":"WARN"`))
			}
		})
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
