package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunQuickStart runs the README quick start in-process: the bundled
// samples to stdout, exiting at the end; a second run resumes from the
// checkpoints and prints nothing.
func TestRunQuickStart(t *testing.T) {
	state := t.TempDir()
	run := func() (stdout, stderr string) {
		t.Helper()
		cmd := newRootCmd()
		var out, errOut bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&errOut)
		cmd.SetArgs([]string{"run", "--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", state, "--hostname", "quickstart", "--log-format", "json"})
		if err := cmd.Execute(); err != nil {
			t.Fatalf("run: %v\n%s", err, errOut.String())
		}
		if !strings.Contains(errOut.String(), `"msg":"all sources read to the end and acknowledged; exiting (--once)"`) {
			t.Errorf("log lacks the --once exit (or is not JSON):\n%s", errOut.String())
		}
		return out.String(), errOut.String()
	}
	const nothingNew = "nothing was sent: every file had already been read up to its checkpoint"
	out, logs := run()
	if strings.Contains(logs, nothingNew) {
		t.Errorf("first run claims nothing was sent:\n%s", logs)
	}
	// Every sample the default sources name is shipped whole, each under
	// its APP-NAME (broken.log is not a default source).
	want := 0
	wantApp := map[string]int{}
	for _, s := range []struct{ name, app string }{
		{"audit_json.log", "GitLab-Audit-Logs"},
		{"application_json.log", "GitLab-Application-Logs"},
		{"application.log", "GitLab-Application-Logs"},
		{"gitlab_access.log", "GitLab-Access-Logs"},
		{"auth_json.log", "GitLab-Auth-Logs"},
	} {
		data, err := os.ReadFile(filepath.Join("../../testdata", s.name))
		if err != nil {
			t.Fatal(err)
		}
		n := bytes.Count(data, []byte("\n"))
		want += n
		wantApp[s.app] += n
	}
	var lines, alerts []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.Contains(l, " quickstart GitLab-Detections ") {
			alerts = append(alerts, l) // what the samples' attacks trigger
		} else {
			lines = append(lines, l)
		}
	}
	if len(lines) != want {
		t.Fatalf("printed %d log-line messages, want %d", len(lines), want)
	}
	if len(alerts) == 0 {
		t.Error("the samples trigger no detection alert")
	}
	if want := fmt.Sprintf(`"alerts_raised":%d`, len(alerts)); !strings.Contains(logs, want) {
		t.Errorf("the --once exit does not count the %d alerts printed (%s):\n%s", len(alerts), want, logs)
	}
	for _, l := range alerts {
		if !strings.HasPrefix(l, "<") || !strings.Contains(l, " quickstart GitLab-Detections ") {
			t.Errorf("not an RFC 5424 alert from host quickstart: %q", l)
		}
	}
	gotApp := map[string]int{}
	for _, l := range lines {
		if !strings.HasPrefix(l, "<") || !strings.Contains(l, " quickstart GitLab-") {
			t.Errorf("not an RFC 5424 message from host quickstart: %q", l)
			continue
		}
		// <PRI>1 TIMESTAMP HOSTNAME APP-NAME ...
		if f := strings.SplitN(l, " ", 5); len(f) == 5 {
			gotApp[f[3]]++
		}
	}
	if !maps.Equal(gotApp, wantApp) {
		t.Errorf("messages per APP-NAME = %v, want %v", gotApp, wantApp)
	}
	again, logs := run()
	if again != "" {
		t.Errorf("second run printed %d bytes; it must resume from the checkpoints", len(again))
	}
	// A user who runs the quick start twice is told why nothing came out.
	if !strings.Contains(logs, nothingNew) || !strings.Contains(logs, state) {
		t.Errorf("second run does not say that nothing was new and where the checkpoints are:\n%s", logs)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--log-level", "loud", "--to", "stdout"},
		{"run", "--log-format", "xml", "--to", "stdout"},
		{"run", "--to", "http://x"},
		{"run", "--start-at", "middle", "--to", "stdout"},
	} {
		if _, err := execute(t, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
