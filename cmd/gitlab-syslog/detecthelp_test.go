package main

import (
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestDetectHelpTypes: detect --help names every TYPE that TYPE:FILE
// accepts (each log type parser.ParseType knows, and stream), and every
// file name a bare FILE is typed by.
func TestDetectHelpTypes(t *testing.T) {
	out, err := execute(t, "detect", "--help")
	if err != nil {
		t.Fatal(err)
	}
	help := strings.Join(strings.Fields(out), " ")
	_, types, ok := strings.Cut(help, "TYPE one of ")
	if !ok {
		t.Fatalf("no TYPE list in the help:\n%s", out)
	}
	types, _, _ = strings.Cut(types, "(")
	for _, name := range []string{"audit", "application", "access", "auth", "stream"} {
		if _, err := parseDetectInput(name + ":x.log"); err != nil || !strings.Contains(types, name+",") && !strings.Contains(types, name+" ") {
			t.Errorf("TYPE %s (accepted) not in the help's list %q", name, types)
		}
		if name != "stream" {
			if _, err := parser.ParseType(name); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	for _, f := range []string{"audit_json.log", "application_json.log", "application.log", "auth_json.log", "auth.log", "gitlab_access.log"} {
		if typeByName(f) == parser.TypeUnknown || !strings.Contains(help, f) {
			t.Errorf("%s: typed %v, in the help %v", f, typeByName(f), strings.Contains(help, f))
		}
	}
}

// TestMaxLineBytesHelp: each command's --max-line-bytes help says what
// its long help says it does with a longer line: detect skips it (counted,
// never parsed nor given to the rules), parse cuts it to the limit.
func TestMaxLineBytesHelp(t *testing.T) {
	for _, tc := range []struct {
		cmd       string
		flag      string // in the flag's help
		long      string // in the long help
		notInFlag string
	}{
		{"detect", "longer lines are skipped: counted, not parsed, not seen by the rules", "it is skipped and counted in the summary", "cut to it"},
		{"parse", "longer lines are cut to it, counted and not parsed", "is cut to it", "skipped"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			out, err := execute(t, tc.cmd, "--help")
			if err != nil {
				t.Fatal(err)
			}
			help := strings.Join(strings.Fields(out), " ")
			_, flag, ok := strings.Cut(help, "--max-line-bytes string ")
			if !ok {
				t.Fatalf("no --max-line-bytes flag in the help:\n%s", out)
			}
			flag, _, _ = strings.Cut(flag, " --")
			if !strings.Contains(flag, tc.flag) || strings.Contains(flag, tc.notInFlag) {
				t.Errorf("flag help %q: want %q, without %q", flag, tc.flag, tc.notInFlag)
			}
			if !strings.Contains(help, tc.long) {
				t.Errorf("long help without %q:\n%s", tc.long, out)
			}
		})
	}
}
