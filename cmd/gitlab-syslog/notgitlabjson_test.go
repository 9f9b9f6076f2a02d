package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotGitLabApplicationJSON checks that a JSON object without the keys
// GitLab writes in every application_json.log line ("severity" and
// "time") is a line that did not parse, in parse, send and detect alike,
// whether the input is typed by its name (application_json.log) or line by
// line: parse prints its _error with the cause, send sends it raw and
// counts it, detect counts it. Before, {"a":1} parsed as an application
// line with no columns: parse printed {} and "0 failed" (fresh-user
// trial). Typed line by line, it is of no GitLab log: send gives it
// APP-NAME GitLab-Logs, as any line of no known type.
func TestNotGitLabApplicationJSON(t *testing.T) {
	const (
		foreign = `{"a":1}`
		gitlab  = `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","message":"Project \"g/p\" was removed"}`
		cause   = `not a GitLab application_json.log line: no \"severity\" or \"time\" key`
	)
	content := foreign + "\n" + gitlab + "\n"
	for _, in := range []struct {
		name    string // the file's name; "-": standard input
		rawApp  string // the APP-NAME and MSGID the foreign line is sent raw under
		parseTo string // what parse's _error says besides the cause
	}{
		{"application_json.log", "GitLab-Application-Logs - application", `: application: `},
		{"events.log", "GitLab-Logs - -", `: cannot tell the log type: a JSON object, but not an audit or auth line, and application: `},
		{"-", "GitLab-Logs - -", `: cannot tell the log type: a JSON object, but not an audit or auth line, and application: `},
	} {
		arg, label := in.name, "stdin"
		if in.name != "-" {
			arg = filepath.Join(t.TempDir(), in.name)
			label = arg
			if err := os.WriteFile(arg, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run := func(t *testing.T, args ...string) (string, string, error) {
			var stdout, stderr bytes.Buffer
			err := runSendCollect(context.Background(), strings.NewReader(content), &stdout, &stderr, append(args, arg)...)
			return stdout.String(), stderr.String(), err
		}
		t.Run(in.name+"/parse", func(t *testing.T) {
			stdout, stderr, err := run(t, "parse")
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, stderr)
			}
			out := strings.Split(stdout, "\n")
			if want := `{"_error":"` + label + `:1` + in.parseTo + cause; !strings.HasPrefix(out[0], want) {
				t.Errorf("line 1 printed\n%s\nwant it to start with\n%s", out[0], want)
			}
			if !strings.HasPrefix(out[1], `{"Severity":"INFO"`) {
				t.Errorf("GitLab's line printed %s", out[1])
			}
			if !strings.Contains(stderr, "parsed 2 lines, 1 failed") {
				t.Errorf("stderr lacks the failed line:\n%s", stderr)
			}
		})
		t.Run(in.name+"/send", func(t *testing.T) {
			stdout, stderr, err := run(t, "send", "--to", "-")
			if err != nil {
				t.Fatalf("send: %v\n%s", err, stderr)
			}
			msgs := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if len(msgs) != 2 {
				t.Fatalf("%d messages, want 2:\n%s", len(msgs), stdout)
			}
			if want := " " + in.rawApp + " - " + foreign; !strings.HasSuffix(msgs[0], want) {
				t.Errorf("the foreign line went out as\n%s\nwant it raw (no STRUCTURED-DATA) ending in\n%s", msgs[0], want)
			}
			if !strings.Contains(msgs[1], " GitLab-Application-Logs - application [gitlab@32473 ") {
				t.Errorf("GitLab's line went out as %s", msgs[1])
			}
			if !strings.Contains(stderr, "sent 2 lines of 2 read to stdout:// in ") || !strings.Contains(stderr, "(1 unparsed, sent raw)") {
				t.Errorf("summary does not count the line as unparsed:\n%s", stderr)
			}
		})
		t.Run(in.name+"/detect", func(t *testing.T) {
			_, stderr, err := run(t, "detect")
			if err != nil {
				t.Fatalf("detect: %v\n%s", err, stderr)
			}
			if !strings.Contains(stderr, "detect: read 2 lines (1 not parsed)") {
				t.Errorf("summary does not count the line as not parsed:\n%s", stderr)
			}
		})
	}
}
