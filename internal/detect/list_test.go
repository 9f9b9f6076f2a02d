package detect

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

// TestJoinList: a list column is a CSV record: plain values are joined
// with commas as before; a value with a comma or a quote is quoted, so
// that the list reads back as the values (fresh-user trial 111: the
// attempted user name "u1,u2" read as two users).
func TestJoinList(t *testing.T) {
	for _, tc := range []struct {
		vals []string
		want string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"alice"}, "alice"},
		{[]string{"alice", "bob", "203.0.113.9", "group/project"}, "alice,bob,203.0.113.9,group/project"},
		{[]string{"u0", "u1,u2"}, `u0,"u1,u2"`},
		{[]string{`say "hi"`, "Doe, John"}, `"say ""hi""","Doe, John"`},
		{[]string{"a\nb", " lead"}, "\"a\nb\",\" lead\""},
	} {
		got := joinList(tc.vals)
		if got != tc.want {
			t.Errorf("joinList(%q) = %q, want %q", tc.vals, got, tc.want)
		}
		if len(tc.vals) == 0 || tc.vals[0] == "" && len(tc.vals) == 1 {
			continue
		}
		back, err := csv.NewReader(strings.NewReader(got)).Read()
		if err != nil || !slices.Equal(back, tc.vals) {
			t.Errorf("joinList(%q) = %q reads back as %q (%v)", tc.vals, got, back, err)
		}
	}
}
