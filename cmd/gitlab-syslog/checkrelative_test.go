package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckRelativePaths: check warns about a path written relative in
// the config file (run would resolve it against its own current
// directory, / under systemd), naming the file, line and key, and still
// passes; a relative --log-dir or --state-dir typed in the shell is not
// warned about.
func TestCheckRelativePaths(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+"\nforward: {url: stdout}\nsources:\n  - type: audit\n    path: logs/audit_json.log\n")
	out, err := execute(t, "check", "--config", path)
	if err != nil {
		t.Fatalf("check failed: %v\n%s", err, out)
	}
	want := "WARNING: " + path + `:5: sources[0].path: "logs/audit_json.log" is relative: the agent resolves it against its current directory`
	if !strings.Contains(out, want) || !strings.Contains(out, "where it is /logs/audit_json.log; give an absolute path") {
		t.Errorf("check output lacks the warning %q:\n%s", want, out)
	}
	out, err = execute(t, "check", "--log-dir", "../../testdata", "--state-dir", "relative-state")
	if err != nil {
		t.Fatalf("check with relative flags failed: %v\n%s", err, out)
	}
	if strings.Contains(out, "WARNING") {
		t.Errorf("check warns about paths given by flags:\n%s", out)
	}
}
