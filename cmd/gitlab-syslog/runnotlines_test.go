package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
)

// fakeELF is the start of an ELF executable with lines of text after its
// header, as a binary has: read as lines, it gives a message for each.
const fakeELF = "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\n" +
	"machine code 1\nmachine code 2\nmachine code 3\n"

// TestRunRefusesSourceNotLines: a source whose path names a file holding
// compressed data (a compressed rotation given the live name) or a binary
// file is a problem of check, and run refuses to start with it, in the
// same words, instead of sending its bytes as lines (fresh-user trial
// #16: run started and shipped the gzip bytes).
func TestRunRefusesSourceNotLines(t *testing.T) {
	access, err := os.ReadFile(filepath.Join(samples, "gitlab_access.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"gzip", string(gziptest.Compress(t, access)), "holds gzip-compressed data, not log lines: give the live log file; to send a compressed log once, use gitlab-syslog send "},
		{"ELF", fakeELF, "is an ELF executable, not a log file: its bytes are not lines of text; give the path of a GitLab log file (is the path right?)"},
		{"zip", "PK\x03\x04\x14\x00\x00\x00\nline\n", "holds zip data, not log lines: give the live log file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath := writeFile(t, filepath.Join(dir, "gitlab_access.log"), tc.data)
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources:\n  - type: access\n    path: "+logPath+"\n")
			want := cfg + ":5: sources[0].path: source " + logPath + " " + tc.want
			out, err := execute(t, "check", "--config", cfg)
			if err == nil || !strings.Contains(out, "  "+want) {
				t.Errorf("check: %v, want the problem %q\n%s", err, want, out)
			}
			r := runCmd(t, "--config", cfg, "--once")
			if r.err == nil || !strings.Contains(r.err.Error(), want) {
				t.Errorf("run: %v, want the error %q", r.err, want)
			}
			if r.stdout != "" {
				t.Errorf("run sent messages:\n%s", r.stdout)
			}
		})
	}
}

// TestRunSkipsBinaryGlobMatch: a file a glob matches that is a binary
// file (an executable named *.log) is not followed, with a WARN, as a
// compressed match is; the glob's log files are (fresh-user trial #16:
// /bin/ls matched by *.log went out as 500 messages of machine code).
func TestRunSkipsBinaryGlobMatch(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	audit, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(logs, "audit_json.log"), string(audit))
	bin := writeFile(t, filepath.Join(logs, "binary.log"), fakeELF)
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n  - {type: audit, path: "+filepath.Join(logs, "*.log")+"}\n")
	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	recs := r.records("glob match not followed")
	if len(recs) != 1 || recs[0]["path"] != bin || recs[0]["why"] != "not log lines: an ELF executable" || recs[0]["level"] != "WARN" {
		t.Errorf("glob match not followed: %v, want one WARN for %s, why=not log lines: an ELF executable\n%s", recs, bin, r.stderr)
	}
	if n := len(r.msgs(t)); n != strings.Count(string(audit), "\n") {
		t.Errorf("sent %d messages, want the %d lines of audit_json.log\n%s", n, strings.Count(string(audit), "\n"), r.stdout)
	}
}

// TestRunRefusesSourceNotFile: a source whose path is, at start, a
// directory or a named pipe is a problem of check, and run refuses to
// start with it, in the same words and naming the same config line, as it
// refuses a compressed file; the other sources are not read (fresh-user
// trial 32, F3: run followed the directory and retried it forever, and
// stopped the FIFO's source with an ERROR, after check had said both
// would stop run). A path that does not exist yet is still waited for.
func TestRunRefusesSourceNotFile(t *testing.T) {
	audit, err := filepath.Abs(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string) error
		want string // after "source <path>"
	}{
		{"directory", func(_ *testing.T, p string) error { return os.Mkdir(p, 0o755) }, ": is a directory; give the path of a log file"},
		{"named pipe", mkfifo, ": is not a regular file (mode %s); give the path of a log file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath := filepath.Join(dir, "audit_json.log")
			if err := tc.make(t, logPath); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(logPath)
			if err != nil {
				t.Fatal(err)
			}
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources:\n  - type: audit\n    path: "+logPath+"\n  - {type: audit, path: "+audit+"}\n")
			want := cfg + ":5: sources[0].path: source " + logPath + strings.Replace(tc.want, "%s", fi.Mode().String(), 1)
			out, err := execute(t, "check", "--config", cfg)
			if err == nil || !strings.Contains(out, "  "+want) {
				t.Errorf("check: %v, want the problem %q\n%s", err, want, out)
			}
			r := runCmd(t, "--config", cfg, "--once")
			if r.err == nil || r.err.Error() != want {
				t.Errorf("run: %v, want the error %q\n%s", r.err, want, r.stderr)
			}
			if r.stdout != "" || len(r.records("following")) != 0 {
				t.Errorf("run started:\n%s%s", r.stderr, r.stdout)
			}
		})
	}
	t.Run("created later", func(t *testing.T) {
		logPath := filepath.Join(t.TempDir(), "audit_json.log")
		cfg := sourcesConfig(t, "forward: {url: stdout}\n", logPath, audit)
		r := runCmd(t, "--config", cfg, "--once", "--state-dir", t.TempDir())
		if r.err != nil || len(r.msgs(t)) == 0 {
			t.Errorf("run --once with a source not there yet: %v, %d messages, want it to read the other\n%s", r.err, len(r.msgs(t)), r.stderr)
		}
	})
}

// TestRunRefusesSourceUnderFile: a source path under a file (a typo in a
// directory's name, or log_dir given a file) can never exist: check lists
// it as a problem, naming the source's line or, for the default sources,
// log_dir's (the flag here) once, and run refuses to start with the same
// words; before, run retried it forever (fresh-user trial 34, F2).
func TestRunRefusesSourceUnderFile(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, filepath.Join(dir, "notadir"), "x\n")
	path := filepath.Join(file, "audit_json.log")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources:\n  - type: audit\n    path: "+path+"\n")
	globCfg := writeFile(t, filepath.Join(dir, "g.yaml"), "state_dir: "+filepath.Join(dir, "st3")+"\nforward: {url: stdout}\nsources:\n  - type: audit\n    path: "+filepath.Join(file, "*.log")+"\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a source's path", []string{"--config", cfg}, cfg + ":5: sources[0].path: source " + path + ": " + file + " is a file, not a directory, so the log can never be there: give the path of the log file"},
		{"log_dir", []string{"--log-dir", file, "--state-dir", filepath.Join(dir, "st2"), "--to", "stdout"}, "--log-dir: " + file + " is a file, not a directory: give the directory GitLab writes its logs to (/var/log/gitlab on Omnibus)"},
		{"a glob's directory (trial 35, F1)", []string{"--config", globCfg}, globCfg + ":5: sources[0].path: source " + filepath.Join(file, "*.log") + ": " + file + " is a file, not a directory, so the glob can never match a file: give the directory the logs are in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := execute(t, append([]string{"check"}, tc.args...)...)
			if err == nil || strings.Count(out, tc.want) != 1 {
				t.Errorf("check: %v, want the problem %q once\n%s", err, tc.want, out)
			}
			r := runCmd(t, append(tc.args, "--once")...)
			if r.err == nil || r.err.Error() != tc.want {
				t.Errorf("run: %v, want the error %q\n%s", r.err, tc.want, r.stderr)
			}
		})
	}
}
