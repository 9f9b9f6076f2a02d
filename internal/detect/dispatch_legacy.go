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
// contract (concurrently with Process, without allocation).
type recordWanter interface {
	wantRecord(t parser.Type, rec *parser.Record, ids uint64) (want, ok bool)
}

// recCol is the value of the column id of rec, whose ColIDs are ids: ""
// when absent. It aliases the parser's buffer.
func recCol(rec *parser.Record, ids uint64, id parser.ColID) string {
	if ids&(1<<id) == 0 {
		return ""
	}
	if b, _ := rec.Col(id); len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return ""
}

// findLegacy is find on the record v views (reset to rec) when it is an
// indexed audit record without EventName (a legacy line, most of a
// realistic audit log) of a type whose first dispatch column is
// EventName with an absent table and which has no rule wanting every
// line, and whose table's columns all have a ColID: it reads only the
// columns the plan of the record's columns tests,
// straight from the record, answers the table's rules from the plan's
// memo when the atoms are those of the last line of the same columns,
// and asks the recordWanters without a view. It reports false, having
// done nothing, on any other line (find then answers).
func (d *dispatch) findLegacy(t parser.Type, rec *parser.Record, v *lineView, ask bool, s *found) bool {
	if int(t) >= nTypes {
		return false
	}
	tt := &d.types[t]
	if len(tt.all) > 0 || len(tt.cols) == 0 || tt.cols[0].tab == nil {
		return false
	}
	tab := tt.cols[0].tab // an absent table's column is EventName (dispatch.add)
	if len(tab.cols.ided) < len(tab.cols.cols) {
		return false // a column without ColID is found by name (lineView.prefetchIDs)
	}
	ids, ok := rec.ColIDs()
	if !ok || ids&(1<<parser.IDEventName) != 0 {
		return false
	}
	p := v.plan(tab, ids&tab.cols.ids)
	atoms := tab.evalRecord(rec, ids, p)
	switch {
	case p.cand&^s.done == 0:
		s.done |= tab.answered // no rule the table answers for can keep the line
	case s.done != 0 || p.fns:
		tab.answer(atoms, v, s, p)
	case p.memo && p.memoAtoms == atoms:
		s.want |= p.memoWant
		s.done |= tab.answered
	default:
		before := s.want
		tab.answer(atoms, v, s, p)
		p.memo, p.memoAtoms, p.memoWant = true, atoms, s.want&^before
	}
	for _, r := range tab.asked {
		d.askRecord(t, r, rec, ids, v, ask, s)
	}
	d.findCols(t, tt.cols[1:], v, v, ask, s)
	return true
}

// evalRecord is eval on rec (ids its ColIDs) by the plan p, reading the
// columns p tests from the record.
func (tab *absentTable) evalRecord(rec *parser.Record, ids uint64, p *absentPlan) uint64 {
	atoms := p.blank
	for m := p.eval; m != 0; m &= m - 1 {
		ct := &tab.byCol[bits.TrailingZeros64(m)]
		val := recCol(rec, ids, ct.id)
		if val == "" {
			continue // as absent: its atoms are those of blank
		}
		atoms &^= ct.mask
		if ct.mayHold(val, p.atoms) {
			atoms |= ct.eval(val, p.atoms)
		}
	}
	return atoms
}

// askRecord is ask of rule r on rec (ids its ColIDs), through its
// recordWanter when it has one, else through v (reset to rec).
func (d *dispatch) askRecord(t parser.Type, r int, rec *parser.Record, ids uint64, v *lineView, ask bool, s *found) {
	b := ruleBits(1) << r
	rw := d.recWant[r]
	if s.done&b != 0 || rw == nil || !ask || d.keep[r] != nil {
		d.ask(t, []int{r}, v, ask, s)
		return
	}
	if !s.asked {
		s.epoch, s.asked = d.epoch(), true
	}
	want, ok := rw.wantRecord(t, rec, ids)
	if !ok {
		d.ask(t, []int{r}, v, ask, s)
		return
	}
	s.done |= b
	if want {
		s.want |= b
	} else {
		s.declined |= b
	}
}
