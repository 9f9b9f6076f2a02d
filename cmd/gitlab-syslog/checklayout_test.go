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

// TestCheckLogDirFile: a log_dir that is a file, or lies under one, is
// one problem, log_dir's, and the sources row says the default sources
// cannot exist, as run refuses to start with that problem alone
// (TestRunRefusesSourceUnderFile). Before, check guessed the layout
// omnibus and listed a CANNOT EXIST row per default source, with the
// absent optional files, beside the one problem (fresh-user trial 36).
func TestCheckLogDirFile(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, filepath.Join(dir, "afile"), "x\n")
	under := filepath.Join(file, "logs")
	conf := func(logDir string) string {
		return writeFile(t, filepath.Join(dir, filepath.Base(logDir)+".yaml"), "log_dir: "+logDir+"\n")
	}
	for _, tc := range []struct {
		name, logDir string
		args         []string
		problem      string // after "problems:\n  "
	}{
		{"--log-dir a file", file, []string{"--log-dir", file}, "--log-dir: " + file + " is a file"},
		{"log_dir a file", file, []string{"--config", conf(file)}, conf(file) + ":1: log_dir: " + file + " is a file"},
		{"log_dir under a file", under, []string{"--config", conf(under)}, conf(under) + ":1: log_dir: " + under + ": " + file + " is a file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := execute(t, append([]string{"check", "--to", "stdout://", "--state-dir", t.TempDir()}, tc.args...)...)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			row := "\nsources:    the defaults under " + tc.logDir + ", which CANNOT EXIST: " + file + " is a file, not a directory (see problems)\nmetrics:"
			if !strings.Contains(out, row) {
				t.Errorf("no %q in:\n%s", row, out)
			}
			if !strings.Contains(out, "problems:\n  "+tc.problem+", not a directory: give the directory GitLab writes its logs to") || !strings.Contains(out, ": 1 problem(s)") {
				t.Errorf("want the one problem %q in:\n%s", tc.problem, out)
			}
			for _, not := range []string{"layout", "(skipped", "audit_json.log", "WARNING"} {
				if strings.Contains(out, not) {
					t.Errorf("%q in:\n%s", not, out)
				}
			}
		})
	}
}
