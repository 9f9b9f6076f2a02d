package main

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMistypedContent: a source whose type does not match its file's
// lines (an audit log renamed events.log given type: access) is a warning
// of check naming the type the lines are, and run logs it once per file
// when it reads the first lines, besides the per-line warnings that blame
// each line (fresh-user trial #7: check said "ok" and run blamed each
// line). A source of the right type gets neither. Blank lines, byte
// order marks only, before the first lines do not count.
func TestMistypedContent(t *testing.T) {
	dir := t.TempDir()
	copyTo := func(sample, name string) string {
		data, err := os.ReadFile(filepath.Join(samples, sample))
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, filepath.Join(dir, "l", name), string(data))
	}
	events := copyTo("audit_json.log", "events.log")
	web := copyTo("gitlab_access.log", "web.log")
	app := copyTo("application_json.log", "app.log") // of the right type
	// Lines of byte order marks only are blank, not in the sample of
	// first lines (fresh-user trial 108: check warned of a right type and
	// missed a wrong one behind 25 of them, where run did not).
	// Nor does a blank line longer than 1 MiB, which check read as the end
	// of the file (fresh-user trial 109).
	for _, path := range []string{web, app} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, strings.Repeat("\xef\xbb\xbf\n", 25)+strings.Repeat(" ", 2<<20)+"\n"+string(data))
	}
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: access, path: "+events+"}\n  - {type: audit, path: "+web+"}\n  - {type: application, path: "+app+"}\n")

	checkWarns(t, cfg, "app.log parse as",
		"WARNING: "+cfg+":5: sources[0].path: type access, but the first 20 lines of events.log parse as audit lines, none as access: they would go out raw under APP-NAME GitLab-Access-Logs, unseen by the rules; write type: audit\n",
		"WARNING: "+cfg+":6: sources[1].path: type audit, but the first 18 lines of web.log parse as access lines, none as audit: they would go out raw under APP-NAME GitLab-Audit-Logs, unseen by the rules; write type: access\n")

	runTypeWarns(t, runCmd(t, "--config", cfg, "--once"), map[string]string{
		events: "the first lines read from the file look like audit lines, not access: is the source's type right?",
		web:    "the first lines read from the file look like access lines, not audit: is the source's type right?",
	})
}

// runTypeWarns checks that run's result r has one WARN of each message of
// want about its file, and no other WARN asking whether a source's type
// is right.
func runTypeWarns(t *testing.T, r runResult, want map[string]string) {
	t.Helper()
	for file, msg := range want {
		n := 0
		for _, rec := range r.records(msg) {
			if rec["file"] == file && rec["level"] == "WARN" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("run: %d WARN %q for %s, want 1:\n%s", n, msg, file, r.stderr)
		}
	}
	n := 0
	for _, rec := range r.logs {
		if msg, _ := rec["msg"].(string); strings.HasSuffix(msg, "is the source's type right?") {
			n++
		}
	}
	if n != len(want) {
		t.Errorf("run warns %d times about a source's type, want %d:\n%s", n, len(want), grepLines(r.stderr, "type right"))
	}
}

// TestMarkedContent: a source whose file holds lines of another JSON log
// that its type's parser takes (audit lines under type auth, Rack::Attack
// lines under type application) is warned about as check and run warn
// about a mistyped source, saying the lines go out parsed as the wrong
// type; a source with one line of its own type is not (fresh-user trial
// 141: an auth source of audit lines, unflagged by check and run).
func TestMarkedContent(t *testing.T) {
	dir := t.TempDir()
	copyTo := func(sample, name, prefix string) string {
		data, err := os.ReadFile(filepath.Join(samples, sample))
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, filepath.Join(dir, "l", name), prefix+string(data))
	}
	sec := copyTo("audit_json.log", "sec.log", "")
	rack := copyTo("auth_json.log", "rack.log", "")
	appLine, err := os.ReadFile(filepath.Join(samples, "application_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(appLine), "\n")
	mixed := copyTo("auth_json.log", "mixed.log", first+"\n") // one application line first
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: auth, path: "+sec+"}\n  - {type: application, path: "+rack+"}\n  - {type: application, path: "+mixed+"}\n")

	checkWarns(t, cfg, "mixed.log are",
		"WARNING: "+cfg+":5: sources[0].path: type auth, but the first 20 lines of sec.log are audit lines, none an auth line (they carry audit keys: author_id, entity_type, entity_id): the auth parser takes them, and they would go out as auth lines under APP-NAME GitLab-Auth-Logs, unseen by the rules that read audit lines; write type: audit\n",
		"WARNING: "+cfg+":6: sources[1].path: type application, but the first 15 lines of rack.log are auth lines, none an application line (they carry Rack::Attack's message or the throttle user allowlist): the application parser takes them, and they would go out as application lines under APP-NAME GitLab-Application-Logs, unseen by the rules that read auth lines; write type: auth\n")

	runTypeWarns(t, runCmd(t, "--config", cfg, "--once"), map[string]string{ // none about mixed.log
		sec:  "the first lines read from the file are audit lines, not auth lines (they carry audit keys: author_id, entity_type, entity_id): is the source's type right?",
		rack: "the first lines read from the file are auth lines, not application lines (they carry Rack::Attack's message or the throttle user allowlist): is the source's type right?",
	})
}

// TestNoGitLabContent: a source whose file's first lines parse as no
// GitLab log at all (random bytes, another program's log) is a warning of
// check and one WARN of run per file, as detect warns about such an input
// (fresh-user trial 32, F4: check said "ok" and run only blamed the first
// line). A file of GitLab lines among them, or with one, gets neither.
func TestNoGitLabContent(t *testing.T) {
	dir := t.TempDir()
	noise := make([]byte, 3000)
	rng := rand.New(rand.NewPCG(1, 2)) // the same bytes each run
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	bin := writeFile(t, filepath.Join(dir, "l", "binary.log"), string(noise))
	other := writeFile(t, filepath.Join(dir, "l", "syslog.log"), "Nov 30 10:00:01 host sshd[1]: Accepted publickey for git\nNov 30 10:00:02 host cron[2]: job done\n")
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	mixed := writeFile(t, filepath.Join(dir, "l", "mixed.log"), "hello\n"+string(data)) // one stray line first
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	packed := writeFile(t, filepath.Join(dir, "l", "packed.log"), gz.String()) // a problem: no second message
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\ndetections: {enabled: false}\nsources:\n"+
		"  - {type: audit, path: "+bin+"}\n  - {type: application, path: "+other+"}\n  - {type: audit, path: "+mixed+"}\n")
	if out, _ := execute(t, "check", "--config", writeFile(t, filepath.Join(dir, "gz.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nsources:\n  - {type: audit, path: "+packed+"}\n")); !strings.Contains(out, "gzip-compressed data") || strings.Contains(out, "packed.log parses as") {
		t.Errorf("check of a gzip source: want its problem alone (fresh-user trial 33, F9):\n%s", out)
	}

	checkWarns(t, cfg, "mixed.log parses as", // its lines are audit lines but its first
		"WARNING: "+cfg+":5: sources[0].path: none of the first ",
		" lines of binary.log parses as a GitLab log (audit, application or auth JSON, application text or an NGINX access line): they would go out raw under APP-NAME GitLab-Audit-Logs, unseen by the rules; is it a GitLab log?\n",
		"WARNING: "+cfg+":6: sources[1].path: none of the first 2 lines of syslog.log parses as a GitLab log (")

	r := runCmd(t, "--config", cfg, "--once")
	const msg = "the first lines read from the file parse as no GitLab log: is it a GitLab log?"
	for _, file := range []string{bin, other} {
		n := 0
		for _, rec := range r.records(msg) {
			if rec["file"] == file && rec["level"] == "WARN" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("run: %d WARN %q for %s, want 1:\n%s", n, msg, file, r.stderr)
		}
	}
	if got := len(r.records(msg)); got != 2 {
		t.Errorf("run warns %d times, want 2 (binary.log and syslog.log, not mixed.log):\n%s", got, grepLines(r.stderr, "no GitLab log"))
	}
}

// checkWarns runs check on cfg and fails t unless its output holds every
// one of wants and not none (a warning about a source of the right type).
func checkWarns(t *testing.T, cfg, none string, wants ...string) {
	t.Helper()
	out, _ := execute(t, "check", "--config", cfg)
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("check: no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, none) {
		t.Errorf("check warns %q, about a source of the right type:\n%s", none, out)
	}
}
