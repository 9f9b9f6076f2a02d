package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceWarnings: a source whose directory does not exist (a typo),
// with a did-you-mean among its sibling directories, and a source whose
// type contradicts its file's name (or the names its glob matches) are
// warned about, naming the file, line and key; a missing file in an
// existing directory, a matching type and a name GitLab does not use are
// not. For the default sources, a missing log_dir is one warning.
func TestSourceWarnings(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"logs", "gl/gitlab-rails", "ex"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "old"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"logs/gitlab_access.log", "logs/application_json.log", "logs/audit_json.log", "ex/audit_json.log",
		"old/application_json.log", "old/application.log", "old/auth_json.log", "old/auth.log"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Container logs: pods/<pod>/0.log, reached also through a symlink
	// containers/<pod>.log and a hard link hl/<pod>.log.
	for _, pod := range []string{"a", "b"} {
		f := filepath.Join(dir, "pods", pod, "0.log")
		for _, d := range []string{filepath.Dir(f), filepath.Join(dir, "containers"), filepath.Join(dir, "hl")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(f, filepath.Join(dir, "containers", pod+".log")); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(f, filepath.Join(dir, "hl", pod+".log")); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, source string
		want         string // "": no warning
	}{
		{"missing directory, close sibling", "{type: audit, path: " + dir + "/lgos/audit_json.log}",
			"config.yaml:3: sources[0].path: directory " + dir + "/lgos does not exist (did you mean " + dir + "/logs/audit_json.log?); run waits for it"},
		{"missing nested directory", "{type: audit, path: " + dir + "/gl/gitlab_rails/audit_json.log}",
			"directory " + dir + "/gl/gitlab_rails does not exist (did you mean " + dir + "/gl/gitlab-rails? audit_json.log is not in it either)"},
		// The directory meant, without the file in it (trial 68: the path
		// was suggested as if the file were there).
		{"missing directory, close sibling without the file", "{type: audit, path: " + dir + "/lgos/gitlab-rails/audit_json.log}",
			"directory " + dir + "/lgos does not exist (did you mean " + dir + "/logs? gitlab-rails/audit_json.log is not in it either); run waits"},
		{"missing directories, no close sibling", "{type: audit, path: " + dir + "/elsewhere/x/audit_json.log}",
			"directory " + dir + "/elsewhere does not exist; run waits"},
		{"missing file, directory there", "{type: auth, path: " + dir + "/logs/auth_json.log}", ""},
		{"type contradicts the name", "{type: audit, path: " + dir + "/logs/gitlab_access.log}",
			"config.yaml:3: sources[0].path: type audit, but gitlab_access.log is GitLab's access log: its lines would be read as audit lines, under APP-NAME GitLab-Audit-Logs (raw where the audit parser does not take them), unseen by the rules that read access lines; write type: access"},
		{"type matches the name", "{type: access, path: " + dir + "/logs/gitlab_access.log}", ""},
		{"a name GitLab does not use", "{type: audit, path: " + dir + "/logs/mine.log}", ""},
		{"glob matching another type", "{type: access, path: \"" + dir + "/logs/*_access.log*\"}", ""},
		{"glob too broad", "{type: access, path: \"" + dir + "/logs/*.log\"}",
			"type access, but application_json.log is GitLab's application log, audit_json.log is GitLab's audit log: its lines would be read as access"},
		// A match another source names by path is that source's (fresh-user trial #4).
		{"glob matching a file named before it", "{type: audit, path: " + dir + "/logs/audit_json.log}\n  - {type: access, path: \"" + dir + "/logs/*.log\"}",
			"config.yaml:4: sources[1].path: type access, but application_json.log is GitLab's application log: its lines would be read as access"},
		{"glob matching files named after it", "{type: access, path: \"" + dir + "/logs/*_json.log\"}\n  - {type: audit, path: " + dir + "/logs/audit_json.log}\n  - {type: application, path: " + dir + "/logs/application_json.log}", ""},
		{"glob matching an earlier glob's files", "{type: audit, path: \"" + dir + "/logs/audit*.log\"}\n  - {type: application, path: \"" + dir + "/logs/*_json.log\"}", ""},
		// logrotate's olddir, relative to the log's directory (trial 64).
		{"olddir there", "{type: audit, path: " + dir + "/logs/audit_json.log, olddir: ../gl}", ""},
		{"olddir missing", "{type: audit, path: " + dir + "/logs/audit_json.log, olddir: old}",
			"config.yaml:3: sources[0].olddir: " + dir + "/logs/old does not exist: logrotate's olddir must exist"},
		{"olddir a file", "{type: audit, path: " + dir + "/logs/audit_json.log, olddir: " + dir + "/logs/audit_json.log}",
			"sources[0].olddir: " + dir + "/logs/audit_json.log is not a directory"},
		// Two files of one name with one olddir (trial 65).
		{"olddir shared by files of one name", "{type: audit, path: " + dir + "/logs/audit_json.log, olddir: ../gl}\n  - {type: audit, path: " + dir + "/gl/gitlab-rails/audit_json.log, olddir: " + dir + "/gl}",
			"config.yaml:4: sources[1].olddir: sources[0] (" + dir + "/logs/audit_json.log) has the same file name and olddir " + dir + "/gl: logrotate writes both files' copies there"},
		// One glob's files of one name with one olddir (trial 67).
		{"glob's files sharing an olddir", "{type: audit, path: \"" + dir + "/*/audit_json.log\", olddir: " + dir + "/gl}",
			"config.yaml:3: sources[0].olddir: " + dir + "/ex/audit_json.log and " + dir + "/logs/audit_json.log, both matched, have the same file name and olddir " + dir + "/gl"},
		// One name matched in two directories is named once (fresh-user
		// trial 137: "audit_json.log is GitLab's audit log" once per match).
		{"glob matching one name in two directories", "{type: access, path: \"" + dir + "/*/audit_json.log\"}",
			"config.yaml:3: sources[0].path: type access, but audit_json.log is GitLab's audit log: its lines would be read as access"},
		{"glob's files with their own olddirs", "{type: audit, path: \"" + dir + "/*/audit_json.log\", olddir: old}", ""},
		// A source's file named as another's copy (trial 67: its lines
		// were sent as the other source's too).
		{"file named as another's copy", "{type: audit, path: " + dir + "/logs/audit_json.log, extension: .log}\n  - {type: audit, path: " + dir + "/logs/audit_json-20261201.log}",
			"config.yaml:4: sources[1].path: " + dir + "/logs/audit_json-20261201.log is named as a rotated copy of sources[0]'s file " + dir + "/logs/audit_json.log (extension \".log\", olddir \"\")"},
		{"file named otherwise", "{type: audit, path: " + dir + "/logs/audit_json.log, extension: .log}\n  - {type: audit, path: " + dir + "/logs/audit_json-1.log}", ""},
		// One file reached through two paths, by two sources (fresh-user
		// trial 72: each line of the webservice pods sent twice).
		{"glob reaching an earlier glob's files through symlinks", "{path: \"" + dir + "/containers/*.log\", format: cri}\n  - {path: \"" + dir + "/pods/*/0.log\", format: cri}",
			"config.yaml:4: sources[1].path: 2 of the files it matches are followed by sources[0] (config.yaml:3) through another path, a symbolic or hard link or a bind mount (" + dir + "/pods/a/0.log is the file of " + dir + "/containers/a.log): run follows each such file once, with sources[0], and skips it here"},
		{"glob reaching an earlier glob's files through their links", "{path: \"" + dir + "/pods/*/0.log\", format: cri}\n  - {path: \"" + dir + "/containers/*.log\", format: cri}",
			"config.yaml:4: sources[1].path: 2 of the files it matches are followed by sources[0] (config.yaml:3) through another path, a symbolic or hard link or a bind mount (" + dir + "/containers/a.log is the file of " + dir + "/pods/a/0.log)"},
		{"glob reaching files through hard links", "{path: \"" + dir + "/pods/*/0.log\", format: cri}\n  - {path: \"" + dir + "/hl/*.log\", format: cri}",
			"config.yaml:4: sources[1].path: 2 of the files it matches are followed by sources[0] (config.yaml:3) through another path"},
		{"glob reaching a file named after it", "{path: \"" + dir + "/containers/*.log\", format: cri}\n  - {path: " + dir + "/pods/b/0.log, format: cri}",
			"config.yaml:3: sources[0].path: a file it matches is followed by sources[1] (config.yaml:4) through another path, a symbolic or hard link or a bind mount (" + dir + "/containers/b.log is the file of " + dir + "/pods/b/0.log): run follows each such file once, with sources[1], and skips it here"},
		// Two of one glob's own matches one file (fresh-user trial 138:
		// the warning said the file was followed by the glob itself).
		{"glob matching one file through two of its paths", "{path: \"" + dir + "/[ch]*/*.log\", format: cri}",
			"config.yaml:3: sources[0].path: it matches one file through two paths, a symbolic or hard link or a bind mount (" + dir + "/hl/a.log is the file of " + dir + "/containers/a.log; 2 such): run follows each such file once, by one of its paths; to match each file once, narrow the pattern"},
		{"globs of distinct files", "{path: \"" + dir + "/pods/a/*.log\", format: cri}\n  - {path: \"" + dir + "/containers/b.log\", format: cri}", ""},
		// The older log of a source's events beside its file, which the
		// default sources follow when present (trial 230: the packaged
		// config, a list of sources, left auth.log unread, unsaid), and
		// beside a file a glob matches (trial 232).
		{"older log beside, unread", "{type: application, path: " + dir + "/old/application_json.log}",
			"config.yaml:3: sources[0].path: " + dir + "/old/application.log exists beside application_json.log and no source reads it (GitLab 15.11 and later no longer write application.log; without sources, the default sources follow it when it exists at start): if this GitLab writes events there, add a source with type: application and path: " + dir + "/old/application.log"},
		{"auth.log beside, unread", "{type: auth, path: " + dir + "/old/auth_json.log}",
			"config.yaml:3: sources[0].path: " + dir + "/old/auth.log exists beside auth_json.log and no source reads it (older GitLab versions wrote the Rack::Attack log as auth.log"},
		{"older log beside a glob's match, unread", "{path: \"" + dir + "/old/app*_json.log\"}",
			"config.yaml:3: sources[0].path: " + dir + "/old/application.log exists beside application_json.log and no source reads it (GitLab 15.11 and later no longer write application.log; without sources, the default sources follow it when it exists at start): if this GitLab writes events there, add a source with type: application and path: " + dir + "/old/application.log; if it holds only old lines, send them once with gitlab-syslog send, or delete it"},
		{"older log matched by the glob itself", "{path: \"" + dir + "/old/*.log\"}", ""},
		{"older log read by a source", "{type: auth, path: " + dir + "/old/auth_json.log}\n  - {type: auth, path: " + dir + "/old/auth.log}", ""},
		{"older log matched by a glob", "{type: application, path: " + dir + "/old/application_json.log}\n  - {type: application, path: \"" + dir + "/old/application*.log\"}", ""},
		// A misspelled type is a mistake of its own (fresh-user trial #10).
		{"type not valid", "{type: acces, path: " + dir + "/logs/gitlab_access.log}", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte("state_dir: /st\nsources:\n  - "+tc.source+"\n"), "config.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(c.SourceWarnings(), "\n")
			if tc.want == "" && got != "" || tc.want != "" && (!strings.Contains(got, tc.want) || strings.Count(got, "\n") != 0) {
				t.Errorf("warnings:\n%s\nwant one with %q", got, tc.want)
			}
		})
	}
	// log_dir edited in a file that lists sources elsewhere (fresh-user
	// trial 70: the packaged config followed /var/log/gitlab all the same).
	t.Run("log_dir not used", func(t *testing.T) {
		cwd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ yaml, want string }{
			{"log_dir: " + dir + "/gl\nsources:\n  - {type: audit, path: " + dir + "/logs/audit_json.log}\n",
				"config.yaml:2: log_dir: " + dir + "/gl is given, but sources lists the files to follow and none is under it, so log_dir is not used"},
			{"log_dir: " + dir + "/logs\nsources:\n  - {type: audit, path: " + dir + "/logs/audit_json.log}\n", ""},
			{"log_dir: " + dir + "/gl\n", ""},
			// A relative log_dir is the directory the agent resolves it
			// to (fresh-user trial 272: "none is under it" of sources
			// under ./logs).
			{"log_dir: logs\nsources:\n  - {type: audit, path: " + cwd + "/logs/audit_json.log}\n", ""},
		} {
			c, err := Parse([]byte("state_dir: /st\n"+tc.yaml), "config.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(c.SourceWarnings(), "\n")
			if tc.want == "" && strings.Contains(got, "log_dir") || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("%q: warnings:\n%s\nwant %q", tc.yaml, got, tc.want)
			}
		}
	})
	t.Run("default sources", func(t *testing.T) {
		for logDir, want := range map[string]string{
			filepath.Join(dir, "nolog"): "log_dir: " + filepath.Join(dir, "nolog") + " does not exist, so the default sources under it are not followed until it appears; give GitLab's log directory",
			// A typo gets the did-you-mean a source's path gets (fresh-user trial #9).
			filepath.Join(dir, "lgos"):          "log_dir: " + filepath.Join(dir, "lgos") + " does not exist (did you mean " + filepath.Join(dir, "logs") + "?), so the default sources under it",
			filepath.Join(dir, "lgos", "nginx"): "log_dir: " + filepath.Join(dir, "lgos", "nginx") + " does not exist (did you mean " + filepath.Join(dir, "logs", "nginx") + "?), so",
			filepath.Join(dir, "gl"):            "",
		} {
			c := &Config{LogDir: logDir, StateDir: "/st"}
			if _, err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(c.SourceWarnings(), "\n")
			if want == "" && got != "" || want != "" && !strings.HasPrefix(got, want) {
				t.Errorf("log_dir %s: warnings %q, want %q", logDir, got, want)
			}
		}
	})
	// A receiver (streaming) with the default sources absent is told how
	// to follow no file (fresh-user trial 49).
	t.Run("default sources beside streaming", func(t *testing.T) {
		c := &Config{LogDir: filepath.Join(dir, "nolog"), StateDir: "/st", Streaming: Streaming{Listen: "127.0.0.1:8443"}}
		if _, err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(c.SourceWarnings(), "\n"); !strings.HasSuffix(got, "; to receive only (streaming, inputs) and follow no file, set sources: []") {
			t.Errorf("warnings %q, want the advice to set sources: []", got)
		}
	})
}
