package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectArgsError: a command line whose FILE arguments do not fit its
// flags is refused with what to do: files given to --list (they were
// ignored silently), and no file because a flag took the only one as its
// value (it said only "no input files"; fresh-user trial 53). A value
// that is not a file says no more than that there is no input.
func TestDetectArgsError(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	for _, tc := range []struct {
		name string
		args []string
		want string // the whole error
	}{
		{"--list with a file", []string{"--list", audit},
			"detect: --list lists the rules and reads no file, but a FILE argument was given (" + audit + "): drop it, or drop --list to search it"},
		{"--list with --format rfc5424", []string{"--list", "--format", "rfc5424"},
			"detect: --list lists the rules and reads no file, so --format has no effect with it: drop --format, or drop --list to search files"},
		{"--list with --state-dir", []string{"--list", "--config", "../../examples/config.yaml", "--state-dir", "/tmp/x"},
			"detect: --list lists the rules and reads no file, so --state-dir has no effect with it: drop --state-dir, or drop --list to search files"},
		{"--list with --max-line-bytes", []string{"--max-line-bytes", "64KiB", "--list"},
			"detect: --list lists the rules and reads no file, so --max-line-bytes has no effect with it: drop --max-line-bytes, or drop --list to search files"},
		{"--rule took the file", []string{"--rule", audit},
			"detect: no input files (give FILE arguments, - for standard input, or --list): --rule took the file " + audit + " as its value (it takes a rule id): give --rule its value, then the files"},
		{"--state-dir took the file", []string{"--state-dir", audit},
			"detect: no input files (give FILE arguments, - for standard input, or --list): --state-dir took the file " + audit + " as its value (it takes a directory): give --state-dir its value, then the files"},
		{"--rule of no file", []string{"--rule", "bogus.rule"},
			"detect: no input files (give FILE arguments, - for standard input, or --list)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := execute(t, append([]string{"detect"}, tc.args...)...)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v\nwant %s", err, tc.want)
			}
			if strings.Contains(out, "sentinel.bruteforce") {
				t.Errorf("the rules were listed:\n%s", out)
			}
		})
	}
}
