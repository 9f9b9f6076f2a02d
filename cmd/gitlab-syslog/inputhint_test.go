package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
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

// TestMissingInputHintCreatedMeanwhile: a file that did not exist when it
// was opened but does when the hint is made (a writer creating it as
// detect starts) gets no "did you mean" naming itself (trial 223: "open
// audit_json.log: no such file or directory (did you mean
// audit_json.log?)").
func TestMissingInputHintCreatedMeanwhile(t *testing.T) {
	name := writeFile(t, filepath.Join(t.TempDir(), "audit_json.log"), "")
	if got := missingInputHint(name); strings.Contains(got, "did you mean") || !strings.Contains(got, "exists now") {
		t.Errorf("missingInputHint(%s) = %q, want that it exists now", name, got)
	}
	if got := similarFile(name, ""); got != "" {
		t.Errorf("similarFile(%s) = %q, want none: a name is no typo of itself", name, got)
	}
}
