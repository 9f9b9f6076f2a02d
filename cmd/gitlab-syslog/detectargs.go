package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// detectArgsError returns the error of a detect command line whose FILE
// arguments do not fit its flags: files, or a flag that only acts on a
// search (--format other than json, --state-dir, --max-line-bytes), given
// with --list, which lists the rules and reads no file; no file at all,
// saying which flag took a file as its value when one did (--rule
// testdata/audit_json.log: the path became the rule id, leaving no
// input). nil when they fit.
func detectArgsError(o *detectOptions, args []string) error {
	if o.list && len(args) > 0 {
		return fmt.Errorf("detect: --list lists the rules and reads no file, but %s given (%s): drop %s, or drop --list to search %s",
			plural(len(args), "a FILE argument was", "FILE arguments were"), someIDs(args), plural(len(args), "it", "them"), plural(len(args), "it", "them"))
	}
	if o.list {
		for _, f := range []struct {
			flag string
			set  bool
		}{
			{"--format", o.format != "" && !strings.EqualFold(o.format, "json")},
			{"--state-dir", o.stateDir != ""},
			{"--max-line-bytes", o.maxLine != ""},
		} {
			if f.set {
				return fmt.Errorf("detect: --list lists the rules and reads no file, so %s has no effect with it: drop %s, or drop --list to search files", f.flag, f.flag)
			}
		}
		return nil
	}
	if len(args) > 0 {
		return nil
	}
	const none = "detect: no input files (give FILE arguments, - for standard input, or --list)"
	for _, f := range []struct{ flag, value, takes string }{
		{"--rule", lastOf(o.rules), "a rule id"},
		{"--state-dir", o.stateDir, "a directory"},
		{"--max-line-bytes", o.maxLine, "a size"},
	} {
		if f.value == "" {
			continue
		}
		if fi, err := os.Stat(f.value); err == nil && fi.Mode().IsRegular() {
			return fmt.Errorf("%s: %s took the file %s as its value (it takes %s): give %s its value, then the files", none, f.flag, f.value, f.takes, f.flag)
		}
	}
	return errors.New(none)
}

// lastOf returns the last of vs, "" for none.
func lastOf(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}
