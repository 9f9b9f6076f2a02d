package detect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestColSetFinish checks the index colSet.finish builds once the names
// are added: every name of the set is found (lookup) by the bytes it was
// added with, by a copy of them (the hash) and, for a name of the
// parser's, by the parser's constant (pinned); a name not in the set is
// not found whatever its bytes; and the names with a ColID are indexed by
// it (ided, pos, ids). Sets of a few names, of the parser's audit columns
// and of 64 names (the most a set holds) are tested, with parser.Columns
// pinned and without.
func TestColSetFinish(t *testing.T) {
	audit := parser.Columns(parser.TypeAudit)
	var many []string
	for i := range 70 {
		many = append(many, fmt.Sprintf("col%d", i))
	}
	for _, c := range []struct {
		name  string
		names []string
		pin   []string
	}{
		{"few", []string{parser.ColEventName, "meta.user", "not.a.column"}, audit},
		{"few, unpinned", []string{parser.ColEventName, "meta.user", "not.a.column"}, nil},
		{"audit", audit, audit},
		{"full", append(append([]string(nil), audit[:10]...), many...), audit},
	} {
		var s colSet
		for _, n := range c.names {
			s.add(n)
			s.add(strings.Clone(n)) // present: not added twice
		}
		s.finish(c.pin)
		want := min(len(c.names), 64)
		if len(s.cols) != want {
			t.Fatalf("%s: %d names in the set, want %d", c.name, len(s.cols), want)
		}
		ided := 0
		for j, n := range s.cols {
			if got := s.lookup(n); got != j {
				t.Errorf("%s: lookup(%q) = %d, want %d", c.name, n, got, j)
			}
			if got := s.lookup(strings.Clone(n)); got != j {
				t.Errorf("%s: lookup of a copy of %q = %d, want %d", c.name, n, got, j)
			}
			if id, ok := parser.ColIDOf(n); ok {
				ided++
				if s.pos[id] != int8(j) || s.ids&(1<<id) == 0 || s.idOf[j] != id {
					t.Errorf("%s: %q (ColID %d) at %d: pos %d, in ids %v, idOf %d", c.name, n, id, j, s.pos[id], s.ids&(1<<id) != 0, s.idOf[j])
				}
			}
		}
		if len(s.ided) != ided {
			t.Errorf("%s: %d names indexed by ColID, want %d", c.name, len(s.ided), ided)
		}
		for _, n := range append([]string{"", "absent", "meta.other"}, audit...) {
			if in := s.index(n) >= 0; !in {
				if got := s.lookup(n); got != -1 {
					t.Errorf("%s: lookup(%q) = %d of a name not in the set", c.name, n, got)
				}
			}
		}
	}
}
