package main

import (
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestMissingSourceHint: run, as check does, names the file of a close
// name when a source's file does not exist (fresh-user trial 257: run
// only said it waits for the file); nothing for a file that exists, a
// glob, or a missing file with no close name.
func TestMissingSourceHint(t *testing.T) {
	dir := t.TempDir()
	real := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	for _, tc := range []struct {
		name string
		src  config.Source
		want string
	}{
		{"typo", config.Source{Type: "audit", Path: filepath.Join(dir, "audit_jsn.log")}, real},
		{"exists", config.Source{Type: "audit", Path: real}, ""},
		{"glob", config.Source{Type: "audit", Path: filepath.Join(dir, "audit_jsn*.log")}, ""},
		{"nothing close", config.Source{Type: "audit", Path: filepath.Join(dir, "other.txt")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := missingSourceHint(tc.src); got != tc.want {
				t.Errorf("missingSourceHint(%s) = %q, want %q", tc.src.Path, got, tc.want)
			}
		})
	}
}
