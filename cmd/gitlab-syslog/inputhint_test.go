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
	// A rotated log logrotate compressed since, beside one still plain:
	// the compressed copy of the name given, not the other one, is meant
	// (fresh-user trial 85: "did you mean audit_json.log.1?").
	rotated := filepath.Join(dir, "audit_json.log.3")
	writeFile(t, filepath.Join(dir, "audit_json.log.1"), "x\n")
	writeFile(t, rotated+".gz", "x\n")
	for _, tc := range []struct {
		name, path string
		err        error
		want       string
	}{
		{"permission", "/var/log/gitlab/x.log", &fs.PathError{Op: "open", Path: "/var/log/gitlab/x.log", Err: fs.ErrPermission},
			"open /var/log/gitlab/x.log: permission denied (run gitlab-syslog as a user that can read the file: one in its group, e.g. with sudo -u git, or root)"},
		{"missing directory", missing, &fs.PathError{Op: "open", Path: missing, Err: fs.ErrNotExist},
			"open " + missing + ": file does not exist (directory " + filepath.Join(dir, "no") + " does not exist: is the path right?)"},
		{"compressed since", rotated, &fs.PathError{Op: "open", Path: rotated, Err: fs.ErrNotExist},
			"open " + rotated + ": file does not exist (did you mean " + rotated + ".gz? (compressed since, by logrotate: give that name; compressed files are read as they are))"},
		{"other error as it is", "x.log.gz", errors.New("open gzip stream: gzip: invalid header"), "open gzip stream: gzip: invalid header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := inputHint(tc.path, tc.err).Error(); got != tc.want {
				t.Errorf("inputHint = %q\nwant        %q", got, tc.want)
			}
		})
	}
}
