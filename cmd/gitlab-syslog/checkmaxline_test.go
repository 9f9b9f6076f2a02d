package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckMaxLineBytes: check shows max_line_bytes and where it comes
// from; a value below 1KiB (a unit slip: 1 for 1MiB), from the file or
// from --max-line-bytes, is a problem with what to write, which run
// refuses; one below 8KiB is a warning.
func TestCheckMaxLineBytes(t *testing.T) {
	dir := t.TempDir()
	audit := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	cfg := func(extra string) string {
		return writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\n"+extra+"forward: {url: stdout}\nsources:\n  - {type: audit, path: "+audit+"}\n")
	}
	for _, tc := range []struct {
		name, extra string
		flags       []string
		row, prob   string // prob "": valid
	}{
		{"default", "", nil, "lines:      a line longer than 1048576 bytes (1MiB) is cut to it and sent raw (the default of max_line_bytes)\n", ""},
		{"file", "max_line_bytes: 64KiB\n", nil, "lines:      a line longer than 65536 bytes (64KiB) is cut to it and sent raw (", ""},
		{"file, 1", "max_line_bytes: 1\n", nil, "lines:      a line longer than 1 byte is cut", "c.yaml:2: max_line_bytes: 1 is 1 byte, not 1 MiB; write 1MiB ("},
		{"flag, 10", "", []string{"--max-line-bytes", "10"}, "(--max-line-bytes)", "--max-line-bytes: 10 is 10 bytes, not 10 MiB; write 10MiB ("},
		{"file, 4096", "max_line_bytes: 4096\n", nil, "WARNING: " + dir + "/c.yaml:2: max_line_bytes: 4096 bytes cuts ordinary GitLab lines", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg(tc.extra)
			out, err := execute(t, append([]string{"check", "--config", c}, tc.flags...)...)
			if !strings.Contains(out, tc.row) {
				t.Errorf("no %q in:\n%s", tc.row, out)
			}
			if tc.prob == "" {
				if err != nil {
					t.Errorf("check: %v\n%s", err, out)
				}
				if strings.Contains(tc.row, "WARNING") && !strings.Contains(out, "valid, with 1 warning(s) above") {
					t.Errorf("check: the warning is not counted in the verdict:\n%s", out)
				}
				return
			}
			if err == nil || !strings.Contains(out, "problems:\n  "+tc.prob) && !strings.Contains(out, "/"+tc.prob) {
				t.Errorf("check: %v, want the problem %q:\n%s", err, tc.prob, out)
			}
			out, err = execute(t, append([]string{"run", "--config", c, "--once"}, tc.flags...)...)
			if err == nil || !strings.Contains(err.Error(), tc.prob) {
				t.Errorf("run: %v, want it refused with %q:\n%s", err, tc.prob, out)
			}
		})
	}
}
