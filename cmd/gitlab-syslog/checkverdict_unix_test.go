//go:build unix

package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckVerdictLastLine: with stdout and stderr on one pipe
// (gitlab-syslog check --config BAD.yml 2>&1, or a terminal), the
// verdict is the last line: main printed its one-line exit message on
// stderr after it ("gitlab-syslog: check: 1 problem(s), listed above the
// result line"), saying again what the verdict says. With stderr apart
// (stdout to a file) the message is still printed there. The exit status
// is 1 both ways. The built binary is run, as main decides it.
func TestCheckVerdictLastLine(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	conf := writeFile(t, filepath.Join(dir, "bad.yml"), "state_dir: "+filepath.Join(dir, "state")+
		"\nforward: {url: stdout}\nstart_at: middle\nsources:\n  - {type: audit, path: "+filepath.Join(dir, "a.log")+"}\n")
	const short = "gitlab-syslog: check: 1 problem(s), listed above the result line\n"
	exitCode := func(err error) int {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("check did not exit with a status: %v", err)
		}
		return ee.ExitCode()
	}

	out, err := exec.Command(bin, "check", "--config", conf).CombinedOutput() // one pipe for both
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if code := exitCode(err); code != 1 || !strings.HasPrefix(lines[len(lines)-1], "result:     "+conf+": 1 problem(s)") {
		t.Errorf("2>&1: exit status %d, want 1, and the verdict last; got:\n%s", code, out)
	}

	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "check", "--config", conf)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if code := exitCode(err); code != 1 || stderr.String() != short || !strings.Contains(stdout.String(), "\nresult:     "+conf+": 1 problem(s)") {
		t.Errorf("stdout and stderr apart: exit status %d, want 1; stderr %q, want %q; stdout:\n%s", code, stderr.String(), short, stdout.String())
	}
}
