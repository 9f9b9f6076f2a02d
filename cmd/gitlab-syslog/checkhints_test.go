package main

import (
	"path/filepath"
	"testing"
)

// TestPackagedNote: check without --config names the packaged
// configuration when it exists (fresh-user trial 61: check validated the
// built-in defaults on a packaged host without a word about the file the
// service uses), and says nothing otherwise.
func TestPackagedNote(t *testing.T) {
	packaged := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), "state_dir: /s\n")
	for _, tc := range []struct{ file, packaged, want string }{
		{"", packaged, "; NOTE: " + packaged + " exists, the service's configuration: check it with --config " + packaged},
		{"my.yaml", packaged, ""},
		{"", filepath.Join(t.TempDir(), "none.yaml"), ""},
	} {
		if got := packagedNote(tc.file, tc.packaged); got != tc.want {
			t.Errorf("packagedNote(%q, %q) = %q, want %q", tc.file, tc.packaged, got, tc.want)
		}
	}
}
