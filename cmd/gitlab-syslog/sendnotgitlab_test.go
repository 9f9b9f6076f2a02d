package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendWarnsWhenNothingParsed checks that send, given a file none of
// whose lines is a GitLab log line (a binary file, the wrong file), still
// sends every line raw and exits 0, as the agent does, but says on
// standard error that nothing parsed, naming the file count and what to
// check, as detect does (with --type, whether the lines are of that
// type); a file with one parsed line gets no warning.
func TestSendWarnsWhenNothingParsed(t *testing.T) {
	audit := `{"severity":"INFO","time":"2026-08-22T10:00:00.000Z","author_id":1,"author_name":"a","entity_path":"x"}`
	const autoHint = "is it a GitLab log? --type"
	for _, tt := range []struct {
		name, content string
		typ           string // --type
		warn          string // what the warning says to check; "": no warning
	}{
		{"binary", "\x00\x01\x02garbage\n\xff\xfe more\n", "auto", autoHint},
		{"text, not a log", "hello\nworld\n", "auto", autoHint},
		{"one line parsed", audit + "\nhello\n", "auto", ""},
		{"empty", "", "auto", ""},
		// The type the line looks like is named (TestSendParseNoneParsedLookAlike).
		{"audit lines, --type access", audit + "\n", "access",
			"the 1 line of PATH did not parse as access (--type access): it looks like an audit line. Give --type audit"},
		{"text, --type audit", "hello\n", "audit", "--type audit was given: are the lines of that type"},
		{"audit lines, --type audit", audit + "\n", "audit", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "input.log")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr,
				"send", "--to", "-", "--type", tt.typ, path); err != nil {
				t.Fatalf("send: %v\n%s", err, stderr.String())
			}
			if want := strings.Count(tt.content, "\n"); strings.Count(stdout.String(), "\n") != want {
				t.Errorf("%d messages, want %d (every line, raw):\n%s", strings.Count(stdout.String(), "\n"), want, stdout.String())
			}
			got := strings.Contains(stderr.String(), "send: WARNING: none of the ") ||
				strings.Contains(stderr.String(), "send: WARNING: the 1 line ")
			if got != (tt.warn != "") {
				t.Errorf("warning printed %v, want %v:\n%s", got, tt.warn != "", stderr.String())
			}
			if tt.warn != "" && !strings.Contains(stderr.String(), strings.ReplaceAll(tt.warn, "PATH", path)) {
				t.Errorf("the warning does not say what to check:\n%s", stderr.String())
			}
		})
	}
}
