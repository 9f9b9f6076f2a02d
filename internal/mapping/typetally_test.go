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

// TestDroppedTallyBare: a type is named only when more than half of the
// lines read were dropped looking like it; lines of no GitLab log do not
// count.
func TestDroppedTallyBare(t *testing.T) {
	audit := `{"severity":"INFO","time":"2024-05-01T10:00:00.000Z","correlation_id":"c","author_id":1,"entity_type":"User","target_details":"x"}`
	access := `203.0.113.7 - - [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.0"`
	for _, tc := range []struct {
		name    string
		read    int
		dropped []string
		want    parser.Type
		n       int
	}{
		{"none read", 0, nil, parser.TypeUnknown, 0},
		{"all dropped audit lines", 3, []string{audit, audit, audit}, parser.TypeAudit, 3},
		{"half is not more than half", 4, []string{audit, audit}, parser.TypeUnknown, 0},
		{"more than half", 3, []string{audit, audit}, parser.TypeAudit, 2},
		{"mixed types", 4, []string{audit, audit, access, access}, parser.TypeUnknown, 0},
		{"no GitLab log", 3, []string{"hello", "world", "again"}, parser.TypeUnknown, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tally DroppedTally
			for _, l := range tc.dropped {
				tally.Add([]byte(l))
			}
			if got, n := tally.Bare(tc.read); got != tc.want || n != tc.n {
				t.Errorf("Bare(%d) = %v, %d; want %v, %d", tc.read, got, n, tc.want, tc.n)
			}
		})
	}
}
