package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckGlobRotatedNames: check warns about a glob whose last element
// ends in * (it matches rotated names too), and only about such globs.
func TestCheckGlobRotatedNames(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "p", "0.log"), "")
	for _, tc := range []struct {
		pattern string
		warn    bool
	}{
		{"p/*.log*", true},
		{"p/*", true},
		{"p/*.log", false},
		{"*/0.log", false},
	} {
		cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nsources:\n  - path: "+filepath.Join(dir, tc.pattern)+"\n    format: cri\n")
		out, err := execute(t, "check", "--config", cfg, "--to", "stdout://")
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.pattern, err, out)
		}
		if got := strings.Contains(out, "also matches rotated copies"); got != tc.warn {
			t.Errorf("%s: warning %v, want %v:\n%s", tc.pattern, got, tc.warn, out)
		}
	}
}
