package detect

import (
	"slices"
	"sync"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// nTypes bounds the parser.Type values the table is indexed by; it leaves
// room for log types added after access. A type beyond it is wanted by no
// rule.
const nTypes = 8

// dispatch maps events to the rules that want them. It is built once and
// read without locking.
type dispatch struct {
	types [nTypes]typeTable
	// keep and wantOnly are the rules' filters by rule index (nil: none).
	keep     []Filter
	wantOnly []WantFilter
	// wantRec are the WantFilters of wantOnly that are recordWanters, by
	// rule index (nil: none), asked on an indexed record (see wantLine).
	wantRec []recordWanter
	// wantFilters are the WantFilters of wantOnly, for epoch.
	wantFilters []WantFilter
}

// epoch returns the sum of the WantFilters' epochs (see Engine.WantEpoch).
func (d *dispatch) epoch() uint64 {
	var n uint64
	for _, f := range d.wantFilters {
		n += f.WantEpoch()
	}
	return n
}

// typeTable holds the keys of one log type.
type typeTable struct {
	all  []int      // rules that want every line of the type
	cols []colTable // one per dispatch column, usually one
	// viewed: a column has a table (absentTable), which reads the line
	// through a lineView; else Want reads the record itself.
	viewed bool
	// rest are the rules of cols[1:] (colTable.rules), which findLegacy
	// need not look at when it asked them all already.
	rest ruleBits
	// legacy is the absent table of cols[0] when findLegacy answers the
	// type's indexed records without EventName (see there), else nil.
	legacy *absentTable
	// soleRW is, when the legacy table asks one rule (soleBit), through
	// its recordWanter, and no rule of rest is neither that one nor one
	// the table answers for, that recordWanter: findLegacy then answers a
	// line by the table and one question to it (see viewSole).
	soleRW  recordWanter
	soleBit ruleBits
}

// setLegacy sets tt.legacy, soleRW and soleBit from the table as it is.
func (tt *typeTable) setLegacy() {
	tt.legacy, tt.soleRW, tt.soleBit = nil, nil, 0
	if len(tt.all) > 0 || len(tt.cols) == 0 {
		return
	}
	tab := tt.cols[0].tab
	if tab == nil || len(tab.cols.ided) != len(tab.cols.cols) {
		return
	}
	tt.legacy = tab
	if len(tab.asked) == 1 && tab.askedRW[0] != nil {
		b := ruleBits(1) << tab.asked[0]
		if tt.rest&^(tab.answered|b) == 0 {
			tt.soleRW, tt.soleBit = tab.askedRW[0], b
		}
	}
}

// colTable holds the keys on one column.
type colTable struct {
	name   string
	id     parser.ColID     // name's ColID, parser.NumColIDs when none
	values map[string][]int // value → rules
	absent []int            // rules that want lines without the column
	// tab answers for the absent rules on audit lines without EventName
	// (nil for other columns: each absent rule is asked).
	tab *absentTable
	any []int // rules that want lines with the column, whatever its value (HasColumn)
	// rules are the rules of values, absent and any: a line on which all
	// of them were asked already does not read the column.
	rules ruleBits
}

// value returns the column's value in the line: through its table (which
// reads the line through v, and also returns the columns present and its
// plan, see fetchPlanned) when it has one, else from c.
func (ct *colTable) value(c Columns, v *lineView) (val string, present uint64, p *absentPlan) {
	if ct.tab != nil {
		present, p = ct.tab.fetchPlanned(v)
		return ct.tab.nameValue(v, present), present, p
	}
	if ct.id < parser.NumColIDs {
		if rc, ok := c.(*recColumns); ok {
			// The record itself: by position when the parser indexed it.
			b, _ := (*parser.Record)(rc).Col(ct.id)
			return unsafe.String(unsafe.SliceData(b), len(b)), 0, nil
		}
		return getCol(c, ct.id, ct.name), 0, nil
	}
	return c.Get(ct.name), 0, nil
}

// addRule registers rule index r (the next one) with its keys and filter.
func (d *dispatch) addRule(r int, rule Rule) {
	f, _ := rule.(Filter)
	wf, _ := rule.(WantFilter)
	rw, _ := rule.(recordWanter)
	d.keep = append(d.keep, f)
	d.wantOnly = append(d.wantOnly, wf)
	d.wantRec = append(d.wantRec, rw)
	if wf != nil {
		d.wantFilters = append(d.wantFilters, wf)
	}
	var reads []string
	if rd, ok := rule.(reader); ok && wf != nil {
		reads = rd.reads()
	}
	for _, k := range rule.Wants() {
		d.add(r, rule, k, reads)
	}
}

// add registers rule index r for key k; reads are columns the rule's
// WantFilter reads on audit lines without EventName.
func (d *dispatch) add(r int, rule Rule, k Key, reads []string) {
	if int(k.Type) >= nTypes || k.Type == parser.TypeUnknown {
		return
	}
	tt := &d.types[k.Type]
	defer tt.setLegacy()
	if k.Column == "" {
		tt.all = appendOnce(tt.all, r)
		return
	}
	var ct *colTable
	for i := range tt.cols {
		if tt.cols[i].name == k.Column {
			ct = &tt.cols[i]
		}
	}
	if ct == nil {
		id, ok := parser.ColIDOf(k.Column)
		if !ok {
			id = parser.NumColIDs
		}
		tt.cols = append(tt.cols, colTable{name: k.Column, id: id, values: make(map[string][]int)})
		ct = &tt.cols[len(tt.cols)-1]
	}
	ct.rules |= ruleBits(1) << r
	if ct != &tt.cols[0] {
		tt.rest |= ruleBits(1) << r
	}
	switch k.Value {
	case "":
		if !slices.Contains(ct.absent, r) {
			ct.absent = append(ct.absent, r)
			if k.Type == parser.TypeAudit && k.Column == parser.ColEventName {
				if ct.tab == nil {
					ct.tab = &absentTable{name: k.Column}
					tt.viewed = true
				}
				ct.tab.addRule(r, rule, reads)
			}
		}
		return
	case anyValue:
		ct.any = appendOnce(ct.any, r)
		return
	}
	ct.values[k.Value] = appendOnce(ct.values[k.Value], r)
}

func appendOnce(s []int, r int) []int {
	for _, x := range s {
		if x == r {
			return s
		}
	}
	return append(s, r)
}

// wantRecord is set on a parsed record: through a lineView from views
// when the type's table reads the columns in one pass, else on the record
// itself (each filter looks its columns up in it), which saves the pool.
func (d *dispatch) wantRecord(t parser.Type, rec *parser.Record, views *sync.Pool, ask bool) (want, declined ruleBits) {
	var s found
	d.findRecord(t, rec, views, ask, &s)
	return s.want, s.declined
}

// findRecord is wantRecord adding to s (see find).
func (d *dispatch) findRecord(t parser.Type, rec *parser.Record, views *sync.Pool, ask bool, s *found) {
	if int(t) >= nTypes {
		return
	}
	if !d.types[t].viewed {
		d.find(t, (*recColumns)(rec), nil, ask, s)
		return
	}
	v, _ := views.Get().(*lineView)
	if v == nil {
		v = new(lineView)
	}
	d.viewFind(t, rec, v, ask, s)
	v.reset(nil, nil)
	views.Put(v)
}

// viewFind is find on a parsed record of a viewed type, through v.
func (d *dispatch) viewFind(t parser.Type, rec *parser.Record, v *lineView, ask bool, s *found) {
	v.reset(rec, nil)
	if d.findLegacy(t, rec, v, ask, s) {
		return
	}
	d.find(t, v, v, ask, s)
}

// recColumns is the Columns of a parsed record: each Get looks the column
// up in it. The value aliases the parser's buffer.
type recColumns parser.Record

func (r *recColumns) Get(col string) string {
	if b, _ := (*parser.Record)(r).Get(col); len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return ""
}

// set returns the rules that want a line of type t, asked through c: one
// map lookup per dispatch column (one for the built-in catalogue), no
// allocation. A rule whose keys match wants the line unless its Filter
// drops it or, with ask, its WantFilter does; each rule is asked once,
// Filter first, and only a rule its Filter keeps is asked its WantFilter
// (which may note what it sees, e.g. the start of a session). Without
// ask, a WantFilter is not asked: its rule wants every line its keys
// match that its Filter keeps. declined are the rules whose WantFilter
// was asked and dropped the line. v is c as a lineView, needed when the
// type is viewed.
func (d *dispatch) set(t parser.Type, c Columns, v *lineView, ask bool) (want, declined ruleBits) {
	var s found
	d.find(t, c, v, ask, &s)
	return s.want, s.declined
}

// find is set adding what it finds to s. A dispatch column whose rules
// were all asked already (s.done) is not read.
func (d *dispatch) find(t parser.Type, c Columns, v *lineView, ask bool, s *found) {
	if int(t) >= nTypes {
		return
	}
	tt := &d.types[t]
	if len(tt.all) > 0 {
		d.ask(t, tt.all, c, ask, s)
	}
	d.findCols(t, tt.cols, c, v, ask, s)
}

// findCols is find on the dispatch columns cols.
func (d *dispatch) findCols(t parser.Type, cols []colTable, c Columns, v *lineView, ask bool, s *found) {
	for i := range cols {
		ct := &cols[i]
		if ct.rules&^s.done == 0 {
			continue
		}
		val, present, p := ct.value(c, v)
		switch {
		case val != "":
			d.ask(t, ct.any, c, ask, s)
			d.ask(t, ct.values[val], c, ask, s)
		case ct.tab == nil:
			d.ask(t, ct.absent, c, ask, s)
		default:
			ct.tab.answer(ct.tab.eval(v, present, p), c, s, p)
			d.ask(t, ct.tab.asked, c, ask, s)
		}
	}
}

// found is what set found so far: the rules that want the line, those
// whose WantFilter dropped it, and every rule asked; epoch is the
// WantFilters' epoch (dispatch.epoch) taken before the first WantFilter
// was asked, when one was (asked).
type found struct {
	want, declined, done ruleBits
	epoch                uint64
	asked                bool
}

// ask adds to s the rules of rs not yet done that want the line (see
// set), and adds them to s.done.
func (d *dispatch) ask(t parser.Type, rs []int, c Columns, ask bool, s *found) {
	for _, r := range rs {
		b := ruleBits(1) << r
		if s.done&b != 0 {
			continue
		}
		s.done |= b
		if f := d.keep[r]; f != nil && !f.Keep(t, c) {
			continue
		}
		if w := d.wantOnly[r]; ask && w != nil {
			if !s.asked {
				s.epoch, s.asked = d.epoch(), true
			}
			if !d.wantLine(r, w, t, c) {
				s.declined |= b
				continue
			}
		}
		s.want |= b
	}
}

// wantLine asks rule r's WantFilter w whether it wants the line c of type
// t: through the rule's recordWanter when c reads an indexed record (a
// view of one, or the record itself), which reads the columns by their
// ColIDs (sentinel.impersonation's watch without hashing a user no one
// watches), else, or when the recordWanter leaves it to WantLine (a line
// it would note), by WantLine.
func (d *dispatch) wantLine(r int, w WantFilter, t parser.Type, c Columns) bool {
	if rw := d.wantRec[r]; rw != nil {
		var rec *parser.Record
		switch v := c.(type) {
		case *lineView:
			rec = v.rec
		case *recColumns:
			rec = (*parser.Record)(v)
		}
		if rec != nil {
			if ids, ok := rec.ColIDs(); ok {
				if want, ok, _ := rw.wantRecord(t, rec, ids, nil); ok {
					return want
				}
			}
		}
	}
	return w.WantLine(t, c)
}
