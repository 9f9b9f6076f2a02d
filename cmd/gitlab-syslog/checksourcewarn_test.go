package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckRunWarnSuspectSources: a source whose directory does not exist
// (a typo: lgos for logs) and one whose type contradicts its file's name
// are warnings of check, counted in its verdict, and WARN lines of run at
// start, with the same text (fresh-user trial: both passed check, and run
// waited forever at INFO or shipped every line raw under the wrong
// APP-NAME).
func TestCheckRunWarnSuspectSources(t *testing.T) {
	dir := t.TempDir()
	access := writeFile(t, filepath.Join(dir, "logs", "gitlab_access.log"), "")
	cfg := writeFile(t, filepath.Join(dir, "typo.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources:\n"+
		"  - type: audit\n    path: "+filepath.Join(dir, "lgos", "audit_json.log")+"\n"+
		"  - type: audit\n    path: "+access+"\n")
	warns := []string{
		cfg + ":5: sources[0].path: directory " + filepath.Join(dir, "lgos") + " does not exist (did you mean " + filepath.Join(dir, "logs") + "? audit_json.log is not in it either); run waits for it and sends nothing from this source until it appears: correct the path",
		cfg + ":7: sources[1].path: type audit, but gitlab_access.log is GitLab's access log: its lines would be read as audit lines, under APP-NAME GitLab-Audit-Logs (raw where the audit parser does not take them), unseen by the rules that read access lines; write type: access",
	}
	out, err := execute(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	for _, w := range warns {
		if !strings.Contains(out, "WARNING: "+w+"\n") {
			t.Errorf("check: no warning %q in:\n%s", w, out)
		}
	}
	if !strings.Contains(out, "result:     "+cfg+": valid, with 2 warning(s) above\n") {
		t.Errorf("check's verdict does not count the 2 warnings:\n%s", out)
	}
	if err := os.Remove(access); err != nil { // run --once would stop at a source it cannot find
		t.Fatal(err)
	}
	r := runCmd(t, "--config", cfg, "--once")
	var got []string
	for _, rec := range r.records("config: source probably misconfigured") {
		if rec["level"] == "WARN" {
			got = append(got, rec["warning"].(string))
		}
	}
	if len(got) != 2 || got[0] != warns[0] || got[1] != warns[1] {
		t.Errorf("run logged the warnings %q, want %q\n%s", got, warns, r.stderr)
	}
}

// TestCheckShowsCopyNaming: check's sources table shows a source's olddir
// (resolved as the tailer resolves it) and extension, so that one can see
// they were taken (fresh-user trial 71).
func TestCheckShowsCopyNaming(t *testing.T) {
	dir := t.TempDir()
	logPath := writeFile(t, filepath.Join(dir, "logs", "audit_json.log"), "")
	writeFile(t, filepath.Join(dir, "logs", "old", "keep"), "")
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources:\n"+
		"  - {type: audit, path: "+logPath+", olddir: old, extension: .log}\n")
	out, err := execute(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	if want := "olddir " + filepath.Join(dir, "logs", "old") + ", extension .log, ok, readable"; !strings.Contains(out, want) {
		t.Errorf("check output lacks %q:\n%s", want, out)
	}
}
