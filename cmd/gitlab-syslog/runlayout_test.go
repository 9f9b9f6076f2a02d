package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layoutDirs returns three log_dirs holding default files in the
// Omnibus layout (every file), a mixed one (audit and application flat,
// access under nginx/, auth_json.log absent) and a flat one holding only
// gitlab_access.log.
func layoutDirs(t *testing.T) (omnibus, mixed, accessOnly string) {
	omnibus, mixed, accessOnly = t.TempDir(), t.TempDir(), t.TempDir()
	for _, f := range []string{"gitlab-rails/audit_json.log", "gitlab-rails/application_json.log", "gitlab-rails/auth_json.log", "nginx/gitlab_access.log"} {
		touchFile(t, filepath.Join(omnibus, f))
	}
	for _, f := range []string{"audit_json.log", "application_json.log", "nginx/gitlab_access.log"} {
		touchFile(t, filepath.Join(mixed, f)) // auth_json.log is waited for at gitlab-rails/
	}
	touchFile(t, filepath.Join(accessOnly, "gitlab_access.log")) // nothing under gitlab-rails/ or nginx/: flat, not mixed
	return omnibus, mixed, accessOnly
}

// TestRunNamesDefaultLayout: run's start-up log says in which layout the
// default sources were found under log_dir, with the files followed, and
// names each absent optional file where that layout has it. The README's
// quick start (the bundled, flat testdata) named the Omnibus
// testdata/gitlab-rails/auth.log while it followed testdata/auth_json.log.
func TestRunNamesDefaultLayout(t *testing.T) {
	omnibus, mixed, accessOnly := layoutDirs(t)
	for _, tc := range []struct {
		name, logDir, layout string
		followed             []string
		absent               []string // the path of each absent line, with its nor when given
	}{
		{
			name: "README quick start: the bundled testdata", logDir: "../../testdata", layout: "flat",
			followed: []string{"audit_json.log", "application_json.log", "application.log", "gitlab_access.log", "auth_json.log"},
			absent:   []string{"auth.log"},
		},
		{
			name: "omnibus", logDir: omnibus, layout: "omnibus",
			followed: []string{"gitlab-rails/audit_json.log", "gitlab-rails/application_json.log", "nginx/gitlab_access.log", "gitlab-rails/auth_json.log"},
			absent:   []string{"gitlab-rails/application.log", "gitlab-rails/auth.log"},
		},
		{
			name: "mixed", logDir: mixed, layout: "mixed",
			followed: []string{"audit_json.log", "application_json.log", "nginx/gitlab_access.log", "gitlab-rails/auth_json.log"},
			absent:   []string{"gitlab-rails/application.log nor application.log", "gitlab-rails/auth.log nor auth.log"},
		},
		{
			// Was "mixed", waiting for log_dir/gitlab-rails/audit_json.log
			// (fresh-user trial).
			name: "only a flat gitlab_access.log: the others are waited for next to it", logDir: accessOnly, layout: "flat",
			followed: []string{"audit_json.log", "application_json.log", "gitlab_access.log", "auth_json.log"},
			absent:   []string{"application.log", "auth.log"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := newRootCmd()
			var out, logs bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&logs)
			cmd.SetArgs([]string{"run", "--log-dir", tc.logDir, "--to", "stdout", "--once", "--state-dir", t.TempDir(), "--log-format", "json"})
			if err := cmd.Execute(); err != nil {
				t.Fatalf("run: %v\n%s", err, logs.String())
			}
			var layouts, followed, absent []string
			for _, l := range strings.Split(logs.String(), "\n") {
				var m map[string]string // the attributes that are text
				json.Unmarshal([]byte(l), &m)
				switch m["msg"] {
				case "default sources":
					layouts = append(layouts, strings.Fields(m["layout"])[0])
					followed = strings.Split(m["paths"], ",")
				case "default source absent, not followed":
					a := m["path"]
					if m["nor"] != "" {
						a += " nor " + m["nor"]
					}
					absent = append(absent, a)
				}
			}
			in := func(paths []string) []string {
				var out []string
				for _, p := range paths {
					p, nor, ok := strings.Cut(p, " nor ")
					p = filepath.Join(tc.logDir, p)
					if ok {
						p += " nor " + filepath.Join(tc.logDir, nor)
					}
					out = append(out, p)
				}
				return out
			}
			if !slices.Equal(layouts, []string{tc.layout}) {
				t.Errorf("layouts logged %q, want one %s", layouts, tc.layout)
			}
			if want := in(tc.followed); !slices.Equal(followed, want) {
				t.Errorf("followed logged %q, want %q", followed, want)
			}
			if want := in(tc.absent); !slices.Equal(absent, want) {
				t.Errorf("absent sources logged %q, want %q", absent, want)
			}
		})
	}
}

// touchFile creates the empty file path and its directory.
func touchFile(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}
