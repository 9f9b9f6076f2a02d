package mapping

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestTypeTallyMismatch: another type is named only when no line parsed
// and more than half of the lines look like it; NoGitLab only when no
// line parsed or looks like any type.
func TestTypeTallyMismatch(t *testing.T) {
	A, P, U := parser.TypeAudit, parser.TypeApplication, parser.TypeUnknown
	for _, tc := range []struct {
		name   string
		parsed int
		looks  []parser.Type
		want   parser.Type
		k      int
		none   bool // NoGitLab
	}{
		{"none counted", 0, nil, U, 0, false},
		{"all look like application", 0, []parser.Type{P, P, P}, P, 3, false},
		{"one parsed", 1, []parser.Type{P, P, P}, U, 0, false},
		{"half is not more than half", 0, []parser.Type{P, U}, U, 0, false},
		{"the given type does not count", 0, []parser.Type{A, A, A}, U, 0, false},
		{"unknown lines do not count", 0, []parser.Type{U, U, P}, U, 0, false},
		{"no line of any GitLab log", 0, []parser.Type{U, U, U}, U, 0, true},
		{"one parsed among unknown lines", 1, []parser.Type{U, U}, U, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tally TypeTally
			for range tc.parsed {
				tally.Add(true, U)
			}
			for _, l := range tc.looks {
				tally.Add(false, l)
			}
			if got, k := tally.Mismatch(A); got != tc.want || k != tc.k {
				t.Errorf("Mismatch(audit) = %v, %d; want %v, %d", got, k, tc.want, tc.k)
			}
			if got := tally.NoGitLab(); got != tc.none {
				t.Errorf("NoGitLab() = %v, want %v", got, tc.none)
			}
		})
	}
}
