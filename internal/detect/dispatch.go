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
}

// typeTable holds the keys of one log type.
type typeTable struct {
	all  []int      // rules that want every line of the type
	cols []colTable // one per dispatch column, usually one
	// viewed: a column has a table (absentTable), which reads the line
	// through a lineView; else Want reads the record itself.
	viewed bool
}

// colTable holds the keys on one column.
type colTable struct {
	name   string
	values map[string][]int // value → rules
	absent []int            // rules that want lines without the column
	// tab answers for the absent rules on audit lines without EventName
	// (nil for other columns: each absent rule is asked).
	tab *absentTable
	any []int // rules that want lines with the column, whatever its value (HasColumn)
}

// value returns the column's value in the line: through its table (which
// reads the line through v, and also returns the columns present) when it
// has one, else from c.
func (ct *colTable) value(c Columns, v *lineView) (val string, present uint64) {
	if ct.tab != nil {
		present = ct.tab.fetch(v)
		return ct.tab.nameValue(v, present), present
	}
	return c.Get(ct.name), 0
}

// addRule registers rule index r (the next one) with its keys and filter.
func (d *dispatch) addRule(r int, rule Rule) {
	f, _ := rule.(Filter)
	wf, _ := rule.(WantFilter)
	d.keep = append(d.keep, f)
	d.wantOnly = append(d.wantOnly, wf)
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
		tt.cols = append(tt.cols, colTable{name: k.Column, values: make(map[string][]int)})
		ct = &tt.cols[len(tt.cols)-1]
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

// wantRecord is want on a parsed record: through a lineView from views
// when the type's table reads the columns in one pass, else on the record
// itself (each filter looks its columns up in it), which saves the pool.
func (d *dispatch) wantRecord(t parser.Type, rec *parser.Record, views *sync.Pool, stateless bool) bool {
	if int(t) >= nTypes {
		return false
	}
	if !d.types[t].viewed {
		return d.want(t, (*recColumns)(rec), nil, stateless)
	}
	v, _ := views.Get().(*lineView)
	if v == nil {
		v = new(lineView)
	}
	v.reset(rec, nil)
	ok := d.want(t, v, v, stateless)
	v.reset(nil, nil)
	views.Put(v)
	return ok
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

// want reports whether any rule wants a line of type t: one map lookup
// per dispatch column (one for the built-in catalogue), no allocation; a
// rule with a filter (Filter, WantFilter) wants the line only when its
// filter keeps it, asked through c. The WantFilters of the rules whose
// keys match are always asked (they may note what they see, e.g. the
// start of a session), the Filters only until one rule wants the line.
// stateless: WantFilters are not asked (their rules want every line their
// keys match). v is c as a lineView, needed when the type is viewed.
func (d *dispatch) want(t parser.Type, c Columns, v *lineView, stateless bool) bool {
	if int(t) >= nTypes {
		return false
	}
	tt := &d.types[t]
	wanted := d.wants(t, stateless, tt.all, c, false)
	for i := range tt.cols {
		ct := &tt.cols[i]
		val, present := ct.value(c, v)
		switch {
		case val != "":
			wanted = d.wants(t, stateless, ct.any, c, wanted)
			wanted = d.wants(t, stateless, ct.values[val], c, wanted)
		case ct.tab == nil:
			wanted = d.wants(t, stateless, ct.absent, c, wanted)
		default:
			if !wanted && ct.tab.any(ct.tab.eval(v, present), c) {
				wanted = true
			}
			wanted = d.wants(t, stateless, ct.tab.asked, c, wanted)
		}
	}
	return wanted
}

// wants reports whether the line is wanted: already, or by one of rules
// rs (it has no filter, or its filter keeps the line).
func (d *dispatch) wants(t parser.Type, stateless bool, rs []int, v Columns, wanted bool) bool {
	for _, r := range rs {
		switch {
		case d.wantOnly[r] != nil && stateless:
			wanted = true
		case d.wantOnly[r] != nil:
			if d.wantOnly[r].WantLine(t, v) {
				wanted = true
			}
		case wanted:
		case d.keep[r] != nil:
			wanted = d.keep[r].Keep(t, v)
		default:
			wanted = true
		}
	}
	return wanted
}

// rules appends to dst the indices of the rules that want ev, each once,
// leaving out those whose Filter drops it (asked through v, which views
// ev), and with wantFirst those whose WantFilter drops it; seen is scratch
// space of one entry per rule, stamped with gen.
func (d *dispatch) rules(dst []int, ev *Event, v *lineView, seen []uint64, gen uint64, wantFirst bool) []int {
	if int(ev.Type) >= nTypes {
		return dst
	}
	tt := &d.types[ev.Type]
	// add adds rule r unless seen; kept: its Filter is known to keep ev.
	add := func(r int, kept bool) {
		if seen[r] == gen {
			return
		}
		seen[r] = gen
		switch {
		case !kept && d.keep[r] != nil && !d.keep[r].Keep(ev.Type, v):
		case wantFirst && d.wantOnly[r] != nil && !d.wantOnly[r].WantLine(ev.Type, v):
		default:
			dst = append(dst, r)
		}
	}
	addAll := func(rs []int) {
		for _, r := range rs {
			add(r, false)
		}
	}
	addAll(tt.all)
	for i := range tt.cols {
		ct := &tt.cols[i]
		val, present := ct.value(v, v)
		if val != "" {
			addAll(ct.any)
			addAll(ct.values[val])
			continue
		}
		if ct.tab == nil {
			addAll(ct.absent)
			continue
		}
		atoms := ct.tab.eval(v, present)
		for j, r := range ct.absent {
			switch {
			case ct.tab.entries[j].asked:
				add(r, false)
			case ct.tab.keeps(j, atoms, v):
				add(r, true)
			default:
				seen[r] = gen // its Filter drops the event
			}
		}
	}
	return dst
}
