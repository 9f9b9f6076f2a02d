package detect

import (
	"math/bits"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// recordWanter is implemented by WantFilters that can answer WantLine on
// an indexed audit record (parser.Record.ColIDs) without a view of it:
// wantRecord returns WantLine's answer and true, reading the columns by
// their ColIDs (ids are the record's), or false when the line needs
// WantLine itself (a line it would note, e.g. the start of a session);
// it must then have noted nothing. It is asked under WantLine's
// contract (concurrently with Process, without allocation), and returns
// its WantEpoch as it read it before it read any of its state. With sums
// (not nil), a recordWanter that is a hinter may set them to the line's
// hint sums, of its hintColumns (see Wanter.HintSums). findLegacy asks
// it on the records without EventName, dispatch.wantLine on the others.
type recordWanter interface {
	WantFilter
	wantRecord(t parser.Type, rec *parser.Record, ids uint64, sums *hintSums) (want, ok bool, epoch uint64)
}

// recCol is the value of the column id of rec, whose ColIDs are ids: ""
// when absent. It inlines (parser.Record.ColAt does): no call per column.
// It aliases the parser's buffer.
func recCol(rec *parser.Record, ids uint64, id parser.ColID) string {
	if ids&(1<<id) == 0 {
		return ""
	}
	i, ok := rec.ColAt(id)
	if !ok {
		return ""
	}
	b := rec.Fields[i].Value
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// findLegacy is find on the record v views (reset to rec) when it is an
// indexed audit record without EventName (a legacy line, most of a
// realistic audit log) of a type findLegacy can answer (typeTable.legacy:
// its first dispatch column is EventName with an absent table whose
// columns all have a ColID, and no rule wants every line). It reads only
// the columns the plan of the record's columns tests, straight from the
// record; answers the table's rules from the plan's memo when the atoms
// are those of one of the last lines of the same columns; and asks the
// rules the table does not answer through their recordWanters
// (tab.askedRW), without a view, where they have one. It reports false,
// having done nothing, on any other line (find then answers).
func (d *dispatch) findLegacy(t parser.Type, rec *parser.Record, v *lineView, ask bool, s *found) bool {
	if int(t) >= nTypes {
		return false
	}
	tt := &d.types[t]
	tab := tt.legacy // an absent table's column is EventName (dispatch.add)
	if tab == nil {
		return false
	}
	ids, ok := rec.ColIDs()
	if !ok || ids&(1<<parser.IDEventName) != 0 {
		return false
	}
	if tt.soleRW != nil && ask && s.done == 0 {
		d.viewSole(t, rec, v, s) // v is reset to rec again
		return true
	}
	key := ids & tab.cols.ids
	ps := &v.plans[planSlotOf(key)] // v.plan, its common case inlined
	p := &ps.absentPlan
	if ps.key != key || ps.tab != tab {
		p = v.planMiss(tab, key)
	}
	switch {
	case p.cand&^s.done == 0:
		s.done |= tab.answered // no rule the table answers for can keep the line
	case s.done != 0 || p.fns:
		tab.answer(tab.evalRecord(rec, p), v, s, p)
	default:
		tab.answerMemo(tab.evalRecord(rec, p), s, p)
	}
	for i, r := range tab.asked {
		// ask, through the rule's recordWanter when it has one.
		if rw, b := tab.askedRW[i], ruleBits(1)<<r; rw != nil && ask && s.done&b == 0 {
			if !s.asked {
				s.epoch, s.asked = d.epoch(), true
			}
			if want, ok, _ := rw.wantRecord(t, rec, ids, nil); ok {
				s.done |= b
				if want {
					s.want |= b
				} else {
					s.declined |= b
				}
				continue
			}
		}
		d.ask(t, tab.asked[i:i+1], v, ask, s)
	}
	if tt.rest&^s.done != 0 {
		d.findCols(t, tt.cols[1:], v, v, ask, s)
	}
	return true
}

// viewSole is viewFind, asking, on a parsed record of a type with a
// soleRW (a viewed type), with no rule done yet (s zero): on an indexed
// record without EventName, most lines of a realistic audit log, it is
// findLegacy in fewer steps (the type, the table and ask are known); on
// any other line, find. It answers the table's rules by the atoms of the
// record's plan (p.blankWant when no test held, else answerMemo's memo;
// through answer when p has condFuncs, which read the line through v),
// then asks the sole rule's recordWanter; for a Wanter's view
// (v.sumHints) the recordWanter sets v.sums on the way.
func (d *dispatch) viewSole(t parser.Type, rec *parser.Record, v *lineView, s *found) {
	v.reset(rec, nil)
	tt := &d.types[t]
	ids, ok := rec.ColIDs()
	if !ok || ids&(1<<parser.IDEventName) != 0 {
		d.find(t, v, v, true, s)
		return
	}
	tab := tt.legacy // not nil: the type has a soleRW (setLegacy)
	key := ids & tab.cols.ids
	ps := &v.plans[planSlotOf(key)] // v.plan, its common case inlined
	p := &ps.absentPlan
	if ps.key != key || ps.tab != tab {
		p = v.planMiss(tab, key)
	}
	want := p.blankWant
	switch atoms := tab.evalRecord(rec, p); {
	case p.fns:
		var f found
		tab.answer(atoms, v, &f, p)
		want = f.want
	case atoms != p.blank:
		want = tab.memoWant(atoms, p)
	}
	// The sole rule, a WantFilter, is the engine's only one when there is
	// one: its epoch, read by wantRecord before it asks itself, is the
	// engine's (dispatch.epoch) without a call per WantFilter.
	only := len(d.wantFilters) == 1
	if !only {
		s.epoch = d.epoch()
	}
	var sums *hintSums
	if v.sumHints {
		sums = &v.sums
	}
	w, ok, epoch := tt.soleRW.wantRecord(t, rec, ids, sums)
	if only {
		s.epoch = epoch
	}
	s.asked = true
	switch {
	case !ok:
		s.want, s.done = want, tab.answered
		d.ask(t, tab.asked, v, true, s)
	case w:
		s.want, s.done = want|tt.soleBit, tab.answered|tt.soleBit
	default:
		s.want, s.done, s.declined = want, tab.answered|tt.soleBit, tt.soleBit
	}
}

// answerMemo is answer by the plan p, of no condFuncs, on a line none of
// whose rules are done (see memoWant).
func (tab *absentTable) answerMemo(atoms uint64, s *found, p *absentPlan) {
	s.done |= tab.answered
	if atoms == p.blank {
		s.want |= p.blankWant
		return
	}
	s.want |= tab.memoWant(atoms, p)
}

// memoWant returns the rules the table keeps on a line of the atoms, by
// the plan p, of no condFuncs: through p's memo, the rules of the same
// atoms of one of the last lines p answered.
func (tab *absentTable) memoWant(atoms uint64, p *absentPlan) ruleBits {
	for i := range p.memo[:p.memoN] {
		if m := &p.memo[i]; m.atoms == atoms {
			return m.want
		}
	}
	var f found
	tab.answer(atoms, nil, &f, p) // no condFunc reads the line
	p.memo[p.memoNext] = atomsAnswer{atoms, f.want}
	p.memoNext = (p.memoNext + 1) % planMemo
	p.memoN = min(p.memoN+1, planMemo)
	return f.want
}

// evalRecord is eval on the indexed record rec by the plan p, reading the
// columns p tests from the record by its probes (or tab.byCol when it has
// too many columns for them; parser.Record.ColAt and Col inline: no call
// per column). Each column's atoms are those of the tests of the atoms p
// needs, as colTests.eval finds them (probe.atoms).
func (tab *absentTable) evalRecord(rec *parser.Record, p *absentPlan) uint64 {
	if p.nProbes < 0 {
		return tab.evalRecordCols(rec, p)
	}
	atoms := p.blank
	for i := range p.probes[:p.nProbes] {
		pr := &p.probes[i]
		b, _ := rec.Col(pr.id)
		n := len(b)
		if n == 0 {
			continue // absent, or as absent: its atoms are those of blank
		}
		atoms &^= pr.mask
		if pr.inLens&(1<<min(n, 63)) != 0 && pr.inLast&(1<<(b[n-1]&63)) != 0 ||
			pr.preFirst&(1<<(b[0]&63)) != 0 || pr.other {
			atoms |= pr.atoms(unsafe.String(&b[0], n), p.atoms) // past the probe's filter
		}
	}
	return atoms
}

// evalRecordCols is evalRecord through tab.byCol.
func (tab *absentTable) evalRecordCols(rec *parser.Record, p *absentPlan) uint64 {
	atoms := p.blank
	for m := p.eval; m != 0; m &= m - 1 {
		ct := &tab.byCol[bits.TrailingZeros64(m)]
		b, _ := rec.Col(ct.id)
		if len(b) == 0 {
			continue // as absent: its atoms are those of blank
		}
		val := unsafe.String(&b[0], len(b))
		atoms &^= ct.mask
		if ct.mayHold(val, p.atoms) {
			atoms |= ct.eval(val, p.atoms)
		}
	}
	return atoms
}
