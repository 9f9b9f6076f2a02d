package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckNamesDefaultLayout: check says in which layout the default
// sources were found under log_dir and names each absent optional file
// where that layout has it, as run logs them (TestRunNamesDefaultLayout).
// On the bundled, flat testdata check said
// "(skipped testdata/gitlab-rails/auth.log: absent; ...)" while run named
// testdata/auth.log.
func TestCheckNamesDefaultLayout(t *testing.T) {
	omnibus, mixed, accessOnly := layoutDirs(t)
	// A configuration that relies on the default sources.
	conf := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), "log_dir: "+mixed+"\n")
	for _, tc := range []struct {
		name, logDir, layout string
		args                 []string
		absent               []string // the path of each skipped line, with the other place when named
	}{
		{
			name: "README quick start: the bundled testdata", logDir: "../../testdata", layout: "flat",
			args:   []string{"--log-dir", "../../testdata"},
			absent: []string{"auth.log"},
		},
		{
			name: "omnibus", logDir: omnibus, layout: "omnibus",
			args:   []string{"--log-dir", omnibus},
			absent: []string{"gitlab-rails/application.log", "gitlab-rails/auth.log"},
		},
		{
			name: "mixed", logDir: mixed, layout: "mixed",
			args:   []string{"--log-dir", mixed},
			absent: []string{"gitlab-rails/application.log, and so is application.log", "gitlab-rails/auth.log, and so is auth.log"},
		},
		{
			name: "only a flat gitlab_access.log", logDir: accessOnly, layout: "flat",
			args:   []string{"--log-dir", accessOnly},
			absent: []string{"application.log", "auth.log"},
		},
		{
			name: "mixed, log_dir from a configuration file", logDir: mixed, layout: "mixed",
			args:   []string{"--config", conf},
			absent: []string{"gitlab-rails/application.log, and so is application.log", "gitlab-rails/auth.log, and so is auth.log"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := execute(t, append([]string{"check", "--to", "stdout://", "--state-dir", t.TempDir()}, tc.args...)...)
			if err != nil {
				t.Fatalf("check: %v\n%s", err, out)
			}
			var sources string
			var absent []string
			for _, l := range strings.Split(out, "\n") {
				if s, ok := strings.CutPrefix(l, "sources:"); ok {
					sources = strings.TrimSpace(s)
				}
				if s, ok := strings.CutPrefix(l, "  (skipped "); ok {
					p, rest, _ := strings.Cut(s, ": absent")
					if nor, _, _ := strings.Cut(rest, "; "); nor != "" {
						p += nor
					}
					absent = append(absent, p)
				}
			}
			if want := "the defaults under " + tc.logDir + ", layout " + tc.layout + " ("; !strings.HasPrefix(sources, want) {
				t.Errorf("sources line %q, want it to begin %q\n%s", sources, want, out)
			}
			var want []string
			for _, a := range tc.absent {
				p, nor, ok := strings.Cut(a, ", and so is ")
				p = filepath.Join(tc.logDir, p)
				if ok {
					p += ", and so is " + filepath.Join(tc.logDir, nor)
				}
				want = append(want, p)
			}
			if !slices.Equal(absent, want) {
				t.Errorf("skipped %q, want %q\n%s", absent, want, out)
			}
		})
	}
}
