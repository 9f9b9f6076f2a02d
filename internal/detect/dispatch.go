package detect

import (
	"slices"

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
}

// colTable holds the keys on one column.
type colTable struct {
	name   string
	values map[string][]int // value → rules
	absent []int            // rules that want lines without the column
	// gateCols are the columns the gates of the absent rules read (at most
	// 64); gates[i] are absent[i]'s clauses as masks over them: the rule's
	// Filter can keep a line only when each mask meets the present
	// columns. nil: not gated.
	gateCols colSet
	gates    [][]uint64
	any      []int // rules that want lines with the column, whatever its value (HasColumn)
}

// addRule registers rule index r (the next one) with its keys and filter.
func (d *dispatch) addRule(r int, rule Rule) {
	f, _ := rule.(Filter)
	wf, _ := rule.(WantFilter)
	d.keep = append(d.keep, f)
	d.wantOnly = append(d.wantOnly, wf)
	var gate [][]string
	g, ok := rule.(gater)
	if ok && f != nil {
		gate = g.gate()
	}
	var reads []string
	if rd, ok := rule.(reader); ok && wf != nil {
		reads = rd.reads()
	}
	for _, k := range rule.Wants() {
		d.add(r, k, gate, reads)
	}
}

// gateAbsent records the gate of the rule just appended to ct.absent.
func (ct *colTable) gateAbsent(gate [][]string) {
	var masks []uint64
	for _, cl := range gate {
		var mask uint64
		for _, c := range cl {
			ct.gateCols.add(c)
			i := ct.gateCols.index(c)
			if i < 0 {
				mask = ^uint64(0) // too many columns: the clause tells nothing
				break
			}
			mask |= 1 << i
		}
		masks = append(masks, mask)
	}
	ct.gates = append(ct.gates, masks)
}

// open reports whether the gate masks let a line with the present columns
// through; a rule without gate is always let through.
func open(masks []uint64, present uint64) bool {
	for _, m := range masks {
		if m&present == 0 {
			return false
		}
	}
	return true
}

// add registers rule index r for key k; gate is the rule's gate for lines
// without the key's column (see gater), nil for none.
// reads are columns the rule's WantFilter reads on such lines.
func (d *dispatch) add(r int, k Key, gate [][]string, reads []string) {
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
			if k.Type != parser.TypeAudit || k.Column != parser.ColEventName {
				gate, reads = nil, nil // gates are for audit lines without EventName
			}
			ct.absent = append(ct.absent, r)
			ct.gateAbsent(gate)
			for _, c := range reads {
				ct.gateCols.add(c)
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

// want reports whether any rule wants a record of type t: one map lookup
// per dispatch column (one for the built-in catalogue), no allocation; a
// rule with a filter (Filter, WantFilter) wants the record only when its
// filter keeps it, asked through v (which memoizes the columns read). The
// WantFilters of the rules whose keys match are always asked (they may
// note what they see, e.g. the start of a session), the Filters only
// until one rule wants the line. stateless: WantFilters are not asked
// (their rules want every line their keys match).
func (d *dispatch) want(t parser.Type, v *lineView, stateless bool) bool {
	if int(t) >= nTypes {
		return false
	}
	tt := &d.types[t]
	wanted := d.wants(t, stateless, tt.all, v, false)
	for i := range tt.cols {
		ct := &tt.cols[i]
		val := v.Get(ct.name)
		if val == "" {
			wanted = d.wantsAbsent(t, stateless, ct, v, wanted)
			continue
		}
		wanted = d.wants(t, stateless, ct.any, v, wanted)
		wanted = d.wants(t, stateless, ct.values[val], v, wanted)
	}
	return wanted
}

// wants reports whether the line is wanted: already, or by one of rules
// rs (it has no filter, or its filter keeps the line).
func (d *dispatch) wants(t parser.Type, stateless bool, rs []int, v *lineView, wanted bool) bool {
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

// wantsAbsent is wants for the rules that want lines without ct's column:
// the columns of their gates are read in one pass, and a gated rule none
// of whose columns is present is not asked.
func (d *dispatch) wantsAbsent(t parser.Type, stateless bool, ct *colTable, v *lineView, wanted bool) bool {
	var present uint64
	if len(ct.gateCols.cols) > 0 {
		present = v.prefetch(&ct.gateCols)
	}
	for i := range ct.absent {
		if !open(ct.gates[i], present) {
			continue
		}
		wanted = d.wants(t, stateless, ct.absent[i:i+1], v, wanted)
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
	add := func(rs []int) {
		for _, r := range rs {
			if seen[r] == gen {
				continue
			}
			seen[r] = gen
			switch {
			case d.keep[r] != nil && !d.keep[r].Keep(ev.Type, v):
			case wantFirst && d.wantOnly[r] != nil && !d.wantOnly[r].WantLine(ev.Type, v):
			default:
				dst = append(dst, r)
			}
		}
	}
	add(tt.all)
	for i := range tt.cols {
		ct := &tt.cols[i]
		val := v.Get(ct.name)
		if val == "" {
			var present uint64
			if len(ct.gateCols.cols) > 0 {
				present = v.prefetch(&ct.gateCols)
			}
			for j, r := range ct.absent {
				if open(ct.gates[j], present) {
					add(ct.absent[j : j+1])
				} else {
					seen[r] = gen // its Filter would drop the event
				}
			}
			continue
		}
		add(ct.any)
		add(ct.values[val])
	}
	return dst
}
