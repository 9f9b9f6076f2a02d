package detect

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestWanterHintSums checks Wanter.HintSums, the sums the agent records
// of the lines no rule wants, against HintSum of the values of the
// engine's hint columns read from each record, on every audit line of the
// golden cases and the generated mixes: with no user watched, with users
// watched by name only (sentinel.impersonation then needs no AuthorID),
// by id only (no meta.user) and both. The sums must be given on every line
// without EventName and without a mark of impersonation (most lines of a
// realistic log), and be right wherever they are given.
func TestWanterHintSums(t *testing.T) {
	cols := allRulesEngine(t, false).HintColumns(parser.TypeAudit)
	if len(cols) != 2 {
		t.Fatalf("HintColumns(audit) = %q, want AuthorID and meta.user", cols)
	}
	p := parser.New(parser.TypeAudit)
	var recs []*parser.Record
	for n, raw := range auditLines(t, 5_000) {
		rec := new(parser.Record)
		if err := p.Parse(raw, rec); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		recs = append(recs, rec)
	}
	for _, watch := range []struct {
		name     string
		ids, byN bool
	}{{"none", false, false}, {"names", false, true}, {"ids", true, false}, {"both", true, true}} {
		e := allRulesEngine(t, false)
		imp := e.byID["sentinel.impersonation"].rule.(*impersonation)
		for i, rec := range recs {
			if i%5 != 0 {
				continue
			}
			if b, _ := rec.Get(parser.ColAuthorID); len(b) > 0 && watch.ids {
				imp.watch.announce(sessKey{V: string(b)}, annForever)
			}
			if b, _ := rec.Get("meta.user"); len(b) > 0 && watch.byN {
				imp.watch.announce(sessKey{ByName: true, V: string(b)}, annForever)
			}
		}
		w := e.NewWanter()
		given, plain := 0, 0
		for n, rec := range recs {
			w.WantRules(parser.TypeAudit, rec)
			got, ok := w.HintSums()
			ids, _ := rec.ColIDs()
			if ids&(1<<parser.IDEventName|impMarkIDs) == 0 {
				plain++
				if !ok {
					t.Errorf("watch %s, line %d (%s): no hint sums", watch.name, n+1, fieldsText(rec))
				}
			}
			if !ok {
				continue
			}
			given++
			var want uint64
			for k, c := range cols {
				if b, _ := rec.Get(c); len(b) > 0 {
					want |= uint64(HintSum(string(b))) << (32 * k)
				}
			}
			if got != want {
				t.Errorf("watch %s, line %d (%s): hint sums %x, want %x", watch.name, n+1, fieldsText(rec), got, want)
			}
		}
		if plain == 0 || given == 0 {
			t.Fatalf("watch %s: %d lines without EventName or a mark, %d given sums: HintSums was not tested", watch.name, plain, given)
		}
	}
}
