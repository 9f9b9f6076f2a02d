package detect

import (
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestFindLegacyAgrees checks findLegacy (the answer on an indexed audit
// record without EventName: columns read straight from the record, the
// plans' memo, sentinel.impersonation's wantRecord) against find through
// a view, the path of every other line: on every audit line of the golden
// cases and the generated mixes, with and without EventName, the rules
// that want the line, those whose WantFilter declined it, the rules asked
// and whether a WantFilter was asked are the same, and findLegacy's epoch
// is the WantFilters' before it (dispatch.epoch), with the WantFilters
// asked and not; first with the watch the lines' starts make, then with
// the users (ids and names) of every fifth line watched too (announced:
// every line of theirs), then with only closed sessions of those users,
// one in two around the line's time, the other ended before it (the
// watch then tests the line's time), then the same with only the ids
// watched (wantRecord then reads no meta.user), then with only the names
// (it reads no AuthorID). Every line without EventName takes findLegacy,
// and no other does. findLegacy's own general path (soleRW off) is
// compared too: viewSole, which answers most lines, must agree with it.
// On every line, with EventName or not, the impersonation rule's
// wantRecord, by which find asks it too, must answer as its WantLine.
func TestFindLegacyAgrees(t *testing.T) {
	e := allRulesEngine(t, true)
	d := &e.table
	tt := &d.types[parser.TypeAudit]
	if tt.soleRW == nil {
		t.Fatal("the audit table has no soleRW: viewSole is not tested")
	}
	sole := tt.soleRW
	imp, ok := e.byID["sentinel.impersonation"].rule.(*impersonation)
	if !ok {
		t.Fatal("sentinel.impersonation is not the impersonation rule")
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
	errs := 0
	var fv, gv, hv, wv lineView
	for pass := range 5 {
		switch pass {
		case 1:
			for i, rec := range recs {
				if i%5 != 0 {
					continue
				}
				if b, _ := rec.Get(parser.ColAuthorID); len(b) > 0 {
					imp.watch.announce(sessKey{V: string(b)}, annForever)
				}
				if b, _ := rec.Get("meta.user"); len(b) > 0 {
					imp.watch.announce(sessKey{ByName: true, V: string(b)}, annForever)
				}
			}
		case 2, 3, 4:
			// Closed sessions only: of the users of every fifth line, one
			// in two has a session around that line's time, the other one
			// that ended before it; pass 3 watches the ids alone, pass 4
			// the names.
			imp.watch.keys.Store(nil)
			imp.watch.hot.Store(nil) // hot holds users of keys: those announced before are gone
			imp.watch.ann, imp.watch.held = nil, nil
			for i, rec := range recs {
				if i%5 != 0 || rec.Time.IsZero() {
					continue
				}
				at := rec.Time.UnixNano()
				u := &userWatch{ivs: []span{{at - int64(time.Second), at + int64(time.Second)}}}
				if i%10 == 5 {
					u.ivs[0] = span{at - int64(time.Hour), at - int64(time.Second)}
				}
				if b, _ := rec.Get(parser.ColAuthorID); len(b) > 0 && pass != 4 {
					imp.watch.update(sessKey{V: string(b)}, u, false, 0)
				}
				if b, _ := rec.Get("meta.user"); len(b) > 0 && pass != 3 {
					imp.watch.update(sessKey{ByName: true, V: string(b)}, u, false, 0)
				}
			}
		}
		legacy, watchedHits, watchedMisses, namedWatched := 0, 0, 0, 0
		for n, rec := range recs {
			_, named := rec.Get(parser.ColEventName)
			// The impersonation rule's wantRecord against its WantLine, on
			// every line, with EventName too: find asks it by wantRecord
			// as well (dispatch.wantLine).
			if ids, ok := rec.ColIDs(); ok {
				if want, ok, _ := imp.wantRecord(parser.TypeAudit, rec, ids, nil); ok {
					wv.reset(rec, nil)
					if line := imp.WantLine(parser.TypeAudit, &wv); line != want {
						t.Errorf("pass %d line %d (%s): wantRecord %v, WantLine %v", pass, n+1, fieldsText(rec), want, line)
					}
					if named && watchedUser(imp, rec) {
						namedWatched++
					}
				}
			}
			for _, ask := range []bool{true, false} {
				var fs, gs found
				fv.reset(rec, nil)
				before := d.epoch()
				if got := d.findLegacy(parser.TypeAudit, rec, &fv, ask, &fs); got == named {
					t.Fatalf("line %d (%s): findLegacy took it: %v, has EventName: %v", n+1, fieldsText(rec), got, named)
				}
				if named {
					continue
				}
				if fs.asked && fs.epoch != before {
					t.Errorf("pass %d line %d ask=%v (%s): findLegacy's epoch %d, the WantFilters' before it %d", pass, n+1, ask, fieldsText(rec), fs.epoch, before)
				}
				gv.reset(rec, nil)
				d.find(parser.TypeAudit, &gv, &gv, ask, &gs)
				var hs found // findLegacy without viewSole
				tt.soleRW = nil
				hv.reset(rec, nil)
				d.findLegacy(parser.TypeAudit, rec, &hv, ask, &hs)
				tt.soleRW = sole
				for _, x := range []struct {
					path string
					s    found
				}{{"find", gs}, {"findLegacy without viewSole", hs}} {
					if fs.want != x.s.want || fs.declined != x.s.declined || fs.done != x.s.done || fs.asked != x.s.asked {
						t.Errorf("pass %d line %d ask=%v (%s): findLegacy want %b declined %b done %b asked %v; %s want %b declined %b done %b asked %v",
							pass, n+1, ask, fieldsText(rec), fs.want, fs.declined, fs.done, fs.asked, x.path, x.s.want, x.s.declined, x.s.done, x.s.asked)
						if errs++; errs == 20 {
							t.FailNow()
						}
					}
				}
				if ask {
					legacy++
					if fs.want&(ruleBits(1)<<e.indexOf(t, "sentinel.impersonation")) != 0 {
						watchedHits++
					} else if watchedUser(imp, rec) {
						watchedMisses++
					}
				}
			}
		}
		if legacy == 0 {
			t.Fatal("no line without EventName: findLegacy was not tested")
		}
		if pass > 0 && watchedHits == 0 {
			t.Errorf("pass %d: no line of a watched user wanted: the watch was not tested", pass)
		}
		if pass >= 2 && watchedMisses == 0 {
			t.Errorf("pass %d: no line of a watched user outside its sessions: the times were not tested", pass)
		}
		if pass > 0 && namedWatched == 0 {
			t.Errorf("pass %d: no line with EventName of a watched user: wantRecord on such lines was not tested", pass)
		}
	}
}

// indexOf returns the index of the rule id in e.rules.
func (e *Engine) indexOf(t *testing.T, id string) int {
	t.Helper()
	for i, r := range e.rules {
		if r.info.ID == id {
			return i
		}
	}
	t.Fatalf("rule %s does not run", id)
	return -1
}

// watchedUser reports whether the user of rec (AuthorID, or meta.user by
// name) is in imp's watch.
func watchedUser(imp *impersonation, rec *parser.Record) bool {
	id, _ := rec.Get(parser.ColAuthorID)
	name, _ := rec.Get("meta.user")
	return (len(id) > 0 && imp.watch.has(sessKey{V: string(id)})) ||
		(len(name) > 0 && imp.watch.has(sessKey{ByName: true, V: string(name)}))
}

// TestProbesAgree checks a plan's probes (evalRecord, the path of most
// legacy audit lines) against the table's tests by column (evalRecordCols)
// and against eval through a view, on every audit line without EventName
// of the golden cases and the generated mixes, with every rule's table:
// the atoms are the same, those the plan needs are the view's, and a line
// on which no test held is answered blankWant, as answer answers it.
func TestProbesAgree(t *testing.T) {
	e := allRulesEngine(t, true)
	tab := e.table.types[parser.TypeAudit].legacy
	if tab == nil {
		t.Fatal("the audit table has no legacy table")
	}
	p := parser.New(parser.TypeAudit)
	var v lineView
	probed, held, blank := 0, 0, 0
	for n, raw := range auditLines(t, 5_000) {
		rec := new(parser.Record)
		if err := p.Parse(raw, rec); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		ids, ok := rec.ColIDs()
		if !ok || ids&(1<<parser.IDEventName) != 0 {
			continue
		}
		pl := tab.plan(ids & tab.cols.ids)
		if pl.nProbes < 0 {
			continue
		}
		probed++
		got, cols := tab.evalRecord(rec, &pl), tab.evalRecordCols(rec, &pl)
		v.reset(rec, nil)
		present, vp := tab.fetchPlanned(&v)
		viewed := tab.eval(&v, present, vp)
		if got != cols || got&pl.atoms != viewed&pl.atoms {
			t.Fatalf("line %d (%s): probes %b, by column %b, through a view %b (needed %b)", n+1, fieldsText(rec), got, cols, viewed, pl.atoms)
		}
		if got != pl.blank {
			held++
			continue
		}
		blank++
		if !pl.fns {
			var f found
			tab.answer(got, nil, &f, &pl)
			if f.want != pl.blankWant {
				t.Fatalf("line %d (%s): blankWant %b, answer %b", n+1, fieldsText(rec), pl.blankWant, f.want)
			}
		}
	}
	if probed == 0 || held == 0 || blank == 0 {
		t.Fatalf("%d lines probed, %d with a test held, %d without: the probes were not tested", probed, held, blank)
	}
}
