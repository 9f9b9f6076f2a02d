package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestUnparsedLineNamed checks that send and detect name, after their
// summary and per input, the first line that did not parse as
// FILE:LINE: cause, with how many lines of the input did not, as run's
// log names a file's first unparsed line and parse each one's _error;
// stdout is unchanged (send's summary line alone, detect's alerts). Before,
// both only counted them, so a line that did not parse was "1 unparsed"
// and nothing said which (fresh-user trial).
func TestUnparsedLineNamed(t *testing.T) {
	const good = `{"severity":"INFO","time":"2024-05-31T14:32:44.108Z","message":"x"}`
	dir := t.TempDir()
	// A line of no GitLab shape in the application log (a backtrace's
	// continuation). A line glued to the NUL padding a crash leaves parses
	// (TestNULPaddedAccessLine).
	crash := filepath.Join(dir, "application_json.log")
	writeFile(t, crash, good+"\n"+"    from app/models/user.rb:12"+"\n"+good+"\n")
	other := filepath.Join(dir, "events.log")
	writeFile(t, other, good+"\nhello\n{\"a\":1}\n")
	clean := filepath.Join(dir, "application_json.log.1")
	writeFile(t, clean, good+"\n")

	notApp := `application: not an application log line (want JSON, "2006-01-02T15:04:05.000Z: msg" or "January 02, 2006 15:04: msg") at byte 0`
	unknown := "cannot tell the log type (want audit, application or auth JSON, application text or an NGINX access line); use "
	tests := []struct {
		name  string
		files []string
		stdin string
		want  map[string][]string // by command: the warnings on stderr, in order
	}{
		{"a line of no GitLab shape", []string{crash}, "", map[string][]string{
			"send":   {"send: WARNING: 1 line of " + crash + " did not parse and was sent raw, without STRUCTURED-DATA: " + crash + ":2: " + notApp + "\n"},
			"detect": {"detect: WARNING: 1 line of " + crash + " did not parse, so the rules did not see it: " + crash + ":2: " + notApp + "\n"},
		}},
		{"two inputs, each named", []string{crash, clean, other}, "", map[string][]string{
			"send": {
				"send: WARNING: 1 line of " + crash + " did not parse and was sent raw, without STRUCTURED-DATA: " + crash + ":2: " + notApp + "\n",
				"send: WARNING: 2 lines of " + other + " did not parse and were sent raw, without STRUCTURED-DATA; the first: " + other + ":2: " + unknown + "--type\n",
			},
			"detect": {
				"detect: WARNING: 1 line of " + crash + " did not parse, so the rules did not see it: " + crash + ":2: " + notApp + "\n",
				"detect: WARNING: 2 lines of " + other + " did not parse, so the rules did not see them; the first: " + other + ":2: " + unknown + "TYPE:FILE\n",
			},
		}},
		{"stdin", []string{"-"}, good + "\n\n{\"a\":1}\n", map[string][]string{
			"send":   {`send: WARNING: 1 line of stdin did not parse and was sent raw, without STRUCTURED-DATA: stdin:3: cannot tell the log type: a JSON object, but not an audit or auth line, and application: not a GitLab application_json.log line: no "severity" or "time" key`},
			"detect": {`detect: WARNING: 1 line of standard input did not parse, so the rules did not see it: standard input:3: cannot tell the log type: a JSON object, but not an audit or auth line, and application: not a GitLab application_json.log line: no "severity" or "time" key`},
		}},
		{"every line parsed", []string{clean}, "", map[string][]string{"send": nil, "detect": nil}},
	}
	col, err := syslogtest.Listen("127.0.0.1:0", func([]byte) {})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	for _, tt := range tests {
		for _, cmd := range []string{"send", "detect"} {
			t.Run(tt.name+"/"+cmd, func(t *testing.T) {
				args := []string{cmd}
				if cmd == "send" {
					args = append(args, "--to", "tcp://"+col.Addr())
				}
				var stdout, stderr bytes.Buffer
				if err := runSendCollect(context.Background(), strings.NewReader(tt.stdin), &stdout, &stderr, append(args, tt.files...)...); err != nil {
					t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
				}
				var got []string
				for _, l := range strings.SplitAfter(stderr.String(), "\n") {
					if strings.Contains(l, "did not parse") {
						got = append(got, l)
					}
				}
				want := tt.want[cmd]
				if len(got) != len(want) {
					t.Fatalf("%d warnings naming a line, want %d:\n%s", len(got), len(want), stderr.String())
				}
				for i := range want {
					if !strings.HasPrefix(got[i], want[i]) {
						t.Errorf("warning %d:\n%s\nwant it to start with\n%s", i+1, got[i], want[i])
					}
				}
				// stdout: send's summary alone, detect's alerts (none).
				wantOut := regexp.MustCompile(`^sent \d+ lines? of \d+ read to tcp://\S+ in \S+( \([^\n]*\))?\n$`)
				if cmd == "detect" {
					wantOut = regexp.MustCompile(`^$`)
				}
				if !wantOut.MatchString(stdout.String()) {
					t.Errorf("stdout = %q, want it to match %s", stdout.String(), wantOut)
				}
			})
		}
	}
}
