package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

// TestInputHint: what inputHint adds to each kind of open error, including
// the permission error that cannot be staged when the tests run as root.
func TestInputHint(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such.log")
	for _, tc := range []struct {
		name, path string
		err        error
		want       string
	}{
		{"permission", "/var/log/gitlab/x.log", &fs.PathError{Op: "open", Path: "/var/log/gitlab/x.log", Err: fs.ErrPermission},
			"open /var/log/gitlab/x.log: permission denied (run gitlab-syslog as a user that can read the file: one in its group, e.g. with sudo -u git, or root)"},
		{"missing directory", missing, &fs.PathError{Op: "open", Path: missing, Err: fs.ErrNotExist},
			"open " + missing + ": file does not exist (directory " + filepath.Join(dir, "no") + " does not exist: is the path right?)"},
		{"other error as it is", "x.log.gz", errors.New("open gzip stream: gzip: invalid header"), "open gzip stream: gzip: invalid header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := inputHint(tc.path, tc.err).Error(); got != tc.want {
				t.Errorf("inputHint = %q\nwant        %q", got, tc.want)
			}
		})
	}
}
