package detect

import (
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
	any    []int            // rules that want lines with the column, whatever its value (HasColumn)
}

// add registers rule index r for key k.
func (d *dispatch) add(r int, k Key) {
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
		ct.absent = appendOnce(ct.absent, r)
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
// per dispatch column (one for the built-in catalogue), no allocation.
func (d *dispatch) want(t parser.Type, rec *parser.Record) bool {
	if int(t) >= nTypes {
		return false
	}
	tt := &d.types[t]
	if len(tt.all) > 0 {
		return true
	}
	for i := range tt.cols {
		ct := &tt.cols[i]
		v, _ := rec.Get(ct.name)
		if len(v) == 0 {
			if len(ct.absent) > 0 {
				return true
			}
			continue
		}
		if len(ct.any) > 0 {
			return true
		}
		if _, ok := ct.values[string(v)]; ok {
			return true
		}
	}
	return false
}

// rules appends to dst the indices of the rules that want ev, each once;
// seen is scratch space of one entry per rule, stamped with gen.
func (d *dispatch) rules(dst []int, ev *Event, seen []uint64, gen uint64) []int {
	if int(ev.Type) >= nTypes {
		return dst
	}
	tt := &d.types[ev.Type]
	add := func(rs []int) {
		for _, r := range rs {
			if seen[r] != gen {
				seen[r] = gen
				dst = append(dst, r)
			}
		}
	}
	add(tt.all)
	for i := range tt.cols {
		ct := &tt.cols[i]
		v := ev.Get(ct.name)
		if v == "" {
			add(ct.absent)
			continue
		}
		add(ct.any)
		add(ct.values[v])
	}
	return dst
}
