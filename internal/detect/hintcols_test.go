package detect

import (
	"slices"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestHintColumns checks Engine.HintColumns: with sentinel.impersonation
// the only rule whose wants depend on state, audit lines have AuthorID and
// meta.user, the other logs none (empty, not nil); with it off, or with no
// such rule, there are no hint columns (nil).
func TestHintColumns(t *testing.T) {
	cases := []struct {
		name string
		only []string
		want map[parser.Type][]string // nil map: nil for every type
	}{
		{"all rules", nil, map[parser.Type][]string{parser.TypeAudit: {parser.ColAuthorID, "meta.user"}}},
		{"impersonation off", []string{"sentinel.bruteforce"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(Config{Only: c.only})
			if err != nil {
				t.Fatal(err)
			}
			for typ := range parser.NumTypes {
				got := e.HintColumns(typ)
				switch {
				case c.want == nil && got != nil:
					t.Errorf("%s: %q, want nil", typ, got)
				case c.want != nil && (got == nil || !slices.Equal(got, c.want[typ])):
					t.Errorf("%s: %q, want %q (not nil)", typ, got, c.want[typ])
				}
			}
		})
	}
}
