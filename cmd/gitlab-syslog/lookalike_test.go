package main

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestLookAlikeWording: the warnings about lines that look like another
// log's read well for one line as for many (fresh-user trial 89: "1 of the
// 1 line ... look like").
func TestLookAlikeWording(t *testing.T) {
	for _, tc := range []struct {
		n, read, unparsed int
		warning, none     string
	}{
		{1, 1, 0, "the 1 line of f.log looks like an audit line but was read as application (--type application): is the type right? Give --type audit", ""},
		{1, 1, 1, "", "the 1 line of f.log did not parse as application (--type application): it looks like an audit line. Give --type audit"},
		{3, 4, 1, "3 of the 4 lines of f.log look like audit lines but were read as application (--type application): is the type right? Give --type audit", ""},
		{3, 3, 3, "", "none of the 3 lines of f.log parsed as application (--type application): 3 of them look like audit lines. Give --type audit"},
		{1, 3, 0, "", ""},
	} {
		l := lookAlike{n: tc.n, typ: parser.TypeAudit}
		if got := l.warning("f.log", tc.read, tc.unparsed, "application", "--type application", "Give --type audit"); got != tc.warning {
			t.Errorf("warning(%d of %d, %d unparsed) = %q, want %q", tc.n, tc.read, tc.unparsed, got, tc.warning)
		}
		if got := l.noneParsed("f.log", tc.read, tc.unparsed, "application", "--type application", "Give --type audit"); got != tc.none {
			t.Errorf("noneParsed(%d of %d, %d unparsed) = %q, want %q", tc.n, tc.read, tc.unparsed, got, tc.none)
		}
	}
}
