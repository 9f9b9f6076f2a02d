package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckGlobRotatedNames: check warns about a glob whose last element
// ends in * (it matches rotated names too), and only about such globs.
func TestCheckGlobRotatedNames(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "p", "0.log"), "")
	for _, tc := range []struct {
		pattern string
		warn    bool
	}{
		{"p/*.log*", true},
		{"p/*", true},
		{"p/*.log", false},
		{"*/0.log", false},
	} {
		cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nsources:\n  - path: "+filepath.Join(dir, tc.pattern)+"\n    format: cri\n")
		out, err := execute(t, "check", "--config", cfg, "--to", "stdout://")
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.pattern, err, out)
		}
		if got := strings.Contains(out, "also matches rotated copies"); got != tc.warn {
			t.Errorf("%s: warning %v, want %v:\n%s", tc.pattern, got, tc.warn, out)
		}
		if !strings.Contains(out, "glob: 1 file matches now;") { // was "1 files match now"
			t.Errorf("%s: no \"glob: 1 file matches now\":\n%s", tc.pattern, out)
		}
	}
}

// TestBadGlobRejected: check and run (and the SIGHUP reload, which loads
// the file as run does) reject a glob with a bad pattern the same way, naming
// the file, line and cause, before any file is followed.
func TestBadGlobRejected(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nsources:\n  - path: /x/*[.log\n    format: cri\n")
	want := cfg + ":3: sources[0].path: /x/*[.log is not a valid glob (syntax error in pattern)"
	_, checkErr := execute(t, "check", "--config", cfg, "--to", "stdout://")
	r := runCmd(t, "--config", cfg, "--to", "stdout://", "--once")
	for name, err := range map[string]error{"check": checkErr, "run": r.err} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
}

// TestCheckOverlappingGlobs: check notes that a file matched by two
// sources goes to the one that names its path, else to the first glob,
// naming that source and its line (fresh-user trial 120: the README said
// the line was named, check gave only the index).
func TestCheckOverlappingGlobs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"0.log", "1.log", "2.log"} {
		writeFile(t, filepath.Join(dir, "p", f), "")
	}
	p := filepath.Join(dir, "p")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nsources:\n"+
		"  - path: "+p+"/*.log\n    format: cri\n"+
		"  - path: "+p+"/[01].log\n    format: cri\n"+
		"  - path: "+p+"/2.log\n    format: cri\n")
	out, err := execute(t, "check", "--config", cfg, "--to", "stdout://")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var notes []string
	for _, l := range strings.Split(out, "\n") {
		if _, n, ok := strings.Cut(l, "NOTE: "); ok {
			notes = append(notes, n)
		}
	}
	want := []string{
		"a file also taken by another source (one naming its path, or an earlier glob) is followed by that source only: sources[2] (" + cfg + ":7, 1 file)",
		"a file also taken by another source (one naming its path, or an earlier glob) is followed by that source only: sources[0] (" + cfg + ":3, 2 files)",
	}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes %q, want %q\n%s", notes, want, out)
	}
}

// TestCheckGlobDoubleStar: check warns that ** is not recursive (Go's
// filepath.Match takes it as *: one directory level), and only for globs
// that have it.
func TestCheckGlobDoubleStar(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "p", "a", "b", "0.log"), "")
	for _, tc := range []struct {
		pattern string
		warn    bool
	}{
		{"p/**/0.log", true},
		{"p/**.log", true},
		{"p/*/*/0.log", false},
	} {
		cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nsources:\n  - path: "+filepath.Join(dir, tc.pattern)+"\n    format: cri\n")
		out, err := execute(t, "check", "--config", cfg, "--to", "stdout://")
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.pattern, err, out)
		}
		if got := strings.Contains(out, "WARNING: ** is not recursive here"); got != tc.warn {
			t.Errorf("%s: warning %v, want %v:\n%s", tc.pattern, got, tc.warn, out)
		}
	}
}

// TestCheckGlobDanglingLinks: check warns of a glob's matches that are
// symbolic links whose target does not exist, naming one and its target
// (fresh-user trial 115: "0 files match now" and "valid" for the links of
// /var/log/containers read without /var/log/pods), and not of links that
// resolve.
func TestCheckGlobDanglingLinks(t *testing.T) {
	dir := t.TempDir()
	ctr := filepath.Join(dir, "containers")
	target := filepath.Join(dir, "pods", "ns_web_1", "webservice", "0.log")
	if err := os.MkdirAll(ctr, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(ctr, "web_ns_webservice-abc.log")); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nsources:\n  - path: "+filepath.Join(ctr, "*.log")+"\n    format: cri\n")
	out, err := execute(t, "check", "--config", cfg, "--to", "stdout://")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "WARNING: 1 symbolic link matches whose target does not exist (" + filepath.Join(ctr, "web_ns_webservice-abc.log") + " -> " + target + "), not followed: mount the directory the links point into"
	if !strings.Contains(out, want) {
		t.Errorf("check: no %q in:\n%s", want, out)
	}
	writeFile(t, target, "")
	if out, _ := execute(t, "check", "--config", cfg, "--to", "stdout://"); strings.Contains(out, "symbolic link") {
		t.Errorf("check warns of a link that resolves:\n%s", out)
	}
}

// TestCheckNoSources: a config with inputs and no sources says that no
// file is followed instead of printing an empty list.
func TestCheckNoSources(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nforward: {url: stdout}\ninputs:\n  - listen: tcp://127.0.0.1:0\n")
	out, err := execute(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "sources:    none (no files are followed)\n") {
		t.Errorf("check output lacks the no-sources line:\n%s", out)
	}
}

// TestCheckGlobSkippedMatches: check says which files a glob matches
// that run skips, as rotated copies of other matches or as no lines
// (compressed, binary), naming each and why, so that its count of matches
// is not read as the files followed (fresh-user trial 64: 8 matches, 7 of
// them rotated copies, and no word of it): copies named with the source's
// logrotate extension, and copies in its olddir (trial 65). Directories and
// dangling symbolic links are not counted among the files.
func TestCheckGlobSkippedMatches(t *testing.T) {
	dir := t.TempDir()
	p, q := filepath.Join(dir, "p"), filepath.Join(dir, "q")
	writeFile(t, filepath.Join(p, "a_audit.log"), `{"severity":"INFO","time":"2024-05-31T14:00:00.022Z","author_id":1,"entity_id":1,"entity_type":"User"}`+"\n")
	writeFile(t, filepath.Join(p, "b_audit.log.gz"), "\x1f\x8b\x08\x00\x00\x00\x00\x00")
	writeFile(t, filepath.Join(p, "c_audit.log"), "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	// Matches run passes over, which are not counted as files: a
	// directory and a dangling symbolic link (a pod's, just deleted).
	if err := os.Mkdir(filepath.Join(p, "e_audit.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone.log"), filepath.Join(p, "f_audit.log")); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"d_audit.log", "d_audit.1.log", "d_audit-20261129.log", "live/d_audit.log", "old/d_audit.2.log", "old/d_audit.log.3"} { // logrotate's extension .log
		writeFile(t, filepath.Join(dir, "q", f), "")
	}
	for _, tc := range []struct {
		pattern, extra, want string
	}{
		{"*audit*", "", "glob: 3 files match now, 2 not followed by run (" + p + "/b_audit.log.gz: compressed; " + p + "/c_audit.log: not log lines: an ELF executable); new ones"},
		{"a_*", "", "glob: 1 file matches now; new ones"},
		{"../q/d_*.log", "    extension: .log\n", "glob: 3 files match now, 2 not followed by run (" + q + "/d_audit-20261129.log: rotated copy of " + q + "/d_audit.log, left to that file's tailer, which reads a copy rotated after its checkpoint (not those older than the agent's first start: send them with gitlab-syslog send); " +
			q + "/d_audit.1.log: rotated copy of " + q + "/d_audit.log, left to that file's tailer, which reads a copy rotated after its checkpoint (not those older than the agent's first start: send them with gitlab-syslog send)); new ones"},
		{"../q/d_*.log", "", "glob: 3 files match now; new ones"}, // without the extension, live files of their own
		{"../q/*/d_*", "    olddir: ../old\n    extension: .log\n", "glob: 3 files match now, 2 not followed by run (" + q + "/old/d_audit.2.log: rotated copy of " + q + "/live/d_audit.log in its olddir, left to that file's tailer, which reads a copy rotated after its checkpoint (not those older than the agent's first start: send them with gitlab-syslog send); " +
			q + "/old/d_audit.log.3: rotated copy of " + q + "/live/d_audit.log in its olddir"},
	} {
		cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nsources:\n  - type: audit\n    path: "+filepath.Join(p, tc.pattern)+"\n"+tc.extra)
		out, err := execute(t, "check", "--config", cfg, "--to", "stdout://")
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.pattern, err, out)
		}
		if !strings.Contains(out, tc.want) {
			t.Errorf("%s: no %q in:\n%s", tc.pattern, tc.want, out)
		}
	}
}

// TestMetricsSummary: check's metrics line gives usable URLs: a wildcard
// host is THIS-HOST and said to be every interface, and an invalid
// metrics.listen is shown as written with its mark, not inside a URL
// ("http://http://...").
func TestMetricsSummary(t *testing.T) {
	for _, tc := range []struct{ listen, bad, want string }{
		{"127.0.0.1:9469", "", "http://127.0.0.1:9469/metrics, /healthz and /readyz"},
		{"[::1]:9469", "", "http://[::1]:9469/metrics, /healthz and /readyz"},
		{":9469", "", "http://THIS-HOST:9469/metrics, /healthz and /readyz (every interface: firewall it; /debug/pprof/ answers loopback clients only)"},
		{"0.0.0.0:9469", "", "http://THIS-HOST:9469/metrics, /healthz and /readyz (every interface: firewall it; /debug/pprof/ answers loopback clients only)"},
		{"[::]:9469", "", "http://THIS-HOST:9469/metrics, /healthz and /readyz (every interface: firewall it; /debug/pprof/ answers loopback clients only)"},
		{"http://127.0.0.1:9469", " (INVALID, see problems)", "http://127.0.0.1:9469 (INVALID, see problems)"},
	} {
		if got := metricsSummary(tc.listen, tc.bad); got != tc.want {
			t.Errorf("metricsSummary(%q, %q) = %q, want %q", tc.listen, tc.bad, got, tc.want)
		}
	}
}

// TestCheckMasksURLPassword: check's forward line shows a destination
// URL's password masked, as the problem about it does (final trial: the
// summary line, often pasted into tickets, showed it in clear).
func TestCheckMasksURLPassword(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nforward:\n  url: tcp://siem:s3cret@127.0.0.1:514\n")
	out, err := execute(t, "check", "--config", cfg)
	if err == nil {
		t.Fatalf("check accepted a URL with a password:\n%s", out)
	}
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "forward:    tcp://siem:xxxxx@127.0.0.1:514 (INVALID, see problems)") {
		t.Errorf("check shows the password, or not the masked URL:\n%s", out)
	}
}

// TestUnparsableURLMasksPassword: a destination or listen URL with a
// password that does not parse (a space, a bad %-escape in it) is refused
// by check, run, send and collect with the password masked, as one that
// parses is (final trial: they printed it in clear).
func TestUnparsableURLMasksPassword(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, url, masked string }{
		{"space", "tcp://siem:s3cret word@127.0.0.1:15799", "tcp://siem:xxxxx@127.0.0.1:15799"},
		{"bad escape", "tcp://siem:s3cret%QQ@127.0.0.1:15799", "tcp://siem:xxxxx@127.0.0.1:15799"},
	} {
		cfg := writeFile(t, filepath.Join(dir, c.name+".yaml"), "state_dir: "+filepath.Join(dir, "s")+"\nforward:\n  url: \""+c.url+"\"\n")
		for _, args := range [][]string{
			{"check", "--config", cfg},
			{"run", "--config", cfg, "--once"},
			{"run", "--to", c.url, "--log-dir", "../../testdata", "--once", "--state-dir", t.TempDir()},
			{"send", "--to", c.url, "../../testdata/audit_json.log"},
			{"collect", "--listen", c.url},
		} {
			out, err := execute(t, args...)
			msg := out
			if err != nil {
				msg += err.Error()
			}
			if err == nil || strings.Contains(msg, "s3cret") || !strings.Contains(msg, c.masked) {
				t.Errorf("%s %v: err %v; want refused, %s shown and no password in:\n%s", c.name, args[0], err, c.masked, msg)
			}
		}
	}
}
