package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDefaultLayout: Resolve says in which layout it found the default
// sources and lists each absent optional file where that layout has it, so
// that run and check name the same paths. The bundled, flat testdata was
// said to lack testdata/gitlab-rails/auth.log.
func TestDefaultLayout(t *testing.T) {
	omnibus, mixed, flat, accessOnly, empty := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	for _, f := range []string{"gitlab-rails/audit_json.log", "gitlab-rails/application_json.log", "nginx/gitlab_access.log"} {
		touchFile(t, filepath.Join(omnibus, f))
	}
	for _, f := range []string{"audit_json.log", "application_json.log", "nginx/gitlab_access.log"} {
		touchFile(t, filepath.Join(mixed, f)) // auth_json.log is waited for at gitlab-rails/
	}
	for _, f := range []string{"audit_json.log", "application_json.log", "gitlab_access.log"} {
		touchFile(t, filepath.Join(flat, f))
	}
	touchFile(t, filepath.Join(accessOnly, "gitlab_access.log"))
	for _, tc := range []struct {
		name, logDir string
		layout       Layout
		skipped      []Absent // Path and Or relative to logDir; Note not compared
		paths        []string // of the sources, relative to logDir; nil: not compared
	}{
		{"the bundled testdata", "../../testdata", LayoutFlat, []Absent{{Path: "auth.log"}}, nil},
		{"omnibus", omnibus, LayoutOmnibus, []Absent{{Path: "gitlab-rails/application.log"}, {Path: "gitlab-rails/auth.log"}},
			[]string{"gitlab-rails/audit_json.log", "gitlab-rails/application_json.log", "nginx/gitlab_access.log", "gitlab-rails/auth_json.log"}},
		{"mixed", mixed, LayoutMixed, []Absent{
			{Path: "gitlab-rails/application.log", Or: "application.log"},
			{Path: "gitlab-rails/auth.log", Or: "auth.log"},
		}, []string{"audit_json.log", "application_json.log", "nginx/gitlab_access.log", "gitlab-rails/auth_json.log"}},
		// A file waited for made these "mixed", auth_json.log waited
		// for under gitlab-rails/ where no file is (fresh-user trial).
		{"flat, auth_json.log not yet written: waited for directly under log_dir", flat, LayoutFlat,
			[]Absent{{Path: "application.log"}, {Path: "auth.log"}},
			[]string{"audit_json.log", "application_json.log", "gitlab_access.log", "auth_json.log"}},
		{"flat, only gitlab_access.log: the others waited for directly under log_dir", accessOnly, LayoutFlat,
			[]Absent{{Path: "application.log"}, {Path: "auth.log"}},
			[]string{"audit_json.log", "application_json.log", "gitlab_access.log", "auth_json.log"}},
		{"nothing yet: the Omnibus paths are waited for", empty, LayoutOmnibus, []Absent{{Path: "gitlab-rails/application.log"}, {Path: "gitlab-rails/auth.log"}},
			[]string{"gitlab-rails/audit_json.log", "gitlab-rails/application_json.log", "nginx/gitlab_access.log", "gitlab-rails/auth_json.log"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Config{LogDir: tc.logDir, StateDir: "/s"}
			r, err := c.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			if !r.DefaultSources || r.Layout != tc.layout {
				t.Errorf("default sources %v, layout %q; want true, %q", r.DefaultSources, r.Layout, tc.layout)
			}
			var want []Absent
			for _, a := range tc.skipped {
				a.Path = filepath.Join(tc.logDir, a.Path)
				if a.Or != "" {
					a.Or = filepath.Join(tc.logDir, a.Or)
				}
				want = append(want, a)
			}
			got := slices.Clone(r.Skipped)
			for i := range got {
				if got[i].Note == "" {
					t.Errorf("%s: no note saying why it may be absent", got[i].Path)
				}
				got[i].Note = ""
			}
			if !slices.Equal(got, want) {
				t.Errorf("skipped %+v, want %+v", got, want)
			}
			if tc.paths == nil {
				return
			}
			var paths, wantPaths []string
			for i, s := range c.Sources {
				paths = append(paths, s.Path)
				if i < len(tc.paths) {
					wantPaths = append(wantPaths, filepath.Join(tc.logDir, tc.paths[i]))
				}
			}
			if !slices.Equal(paths, wantPaths) || len(paths) != len(tc.paths) {
				t.Errorf("sources at %q, want %q", paths, tc.paths)
			}
		})
	}
}

// TestLayoutNotOfGivenSources: sources given in the configuration have no
// layout and nothing skipped.
func TestLayoutNotOfGivenSources(t *testing.T) {
	c := &Config{LogDir: "../../testdata", StateDir: "/s", Sources: []Source{{Type: "audit", Path: "/var/log/a.log"}}}
	r, err := c.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r.DefaultSources || r.Layout != "" || r.Layout.String() != "" || r.Skipped != nil {
		t.Errorf("resolved %+v, want no default sources, layout or skipped file", r)
	}
}

// absentPaths returns the Path of each of skipped.
func absentPaths(skipped []Absent) []string {
	var paths []string
	for _, a := range skipped {
		paths = append(paths, a.Path)
	}
	return paths
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
