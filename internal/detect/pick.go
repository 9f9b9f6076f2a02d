package detect

import (
	"math/bits"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// maxPick is the most column names a picker reads.
const maxPick = 8

// picker reads the values of up to maxPick column names from an event.
// On an event with an index (an audit record's, see Event) it reads the
// names that have a parser.ColID through the index, in constant time;
// it reads the others, and all of them on an event without index, in
// one pass over the columns, where Event.Get would pass once per name: a
// column whose name has a length no name has is passed over with one test.
type picker struct {
	names  []string
	ids    [maxPick]parser.ColID // the names' ColIDs, where withID has their bit
	withID uint8                 // bit j set: names[j] has a ColID
	all    uint8                 // a bit per name
	byLen  [64]uint8             // bit j set in byLen[len(names[j]) % 64]
}

// newPicker returns a picker of names; it panics with more than maxPick.
func newPicker(names ...string) picker {
	if len(names) > maxPick {
		panic("detect: a picker reads at most maxPick columns")
	}
	p := picker{names: names, all: uint8(1)<<len(names) - 1}
	for j, n := range names {
		p.byLen[len(n)%64] |= 1 << j
		if id, ok := parser.ColIDOf(n); ok {
			p.ids[j], p.withID = id, p.withID|1<<j
		}
	}
	return p
}

// pick returns the values of the picker's names in ev, in the order of
// the names: each the value of the first column of that name, as
// Event.Get, "" when there is none.
func (p *picker) pick(ev *Event) (vals [maxPick]string) {
	left := p.all // the names not found yet
	if ev.indexed() {
		left &^= p.withID
		for m := p.withID; m != 0; m &= m - 1 {
			j := bits.TrailingZeros8(m)
			i := ev.cols.at(p.ids[j])
			if i < 0 {
				continue
			}
			if i >= len(ev.Columns) || !sameName(ev.Columns[i].Name, p.names[j]) {
				left, vals = p.all, [maxPick]string{} // a wrong position: search for every name
				break
			}
			vals[j] = ev.Columns[i].Value
		}
	}
	if left != 0 {
		p.scan(ev, left, &vals)
	}
	return vals
}

// scan sets vals[j] for each name j of left from one pass over ev's
// columns.
func (p *picker) scan(ev *Event, left uint8, vals *[maxPick]string) {
	for i := range ev.Columns {
		c := &ev.Columns[i]
		for m := p.byLen[len(c.Name)%64] & left; m != 0; m &= m - 1 {
			j := bits.TrailingZeros8(m)
			if p.names[j] == c.Name {
				vals[j] = c.Value
				left &^= 1 << j
				break
			}
		}
		if left == 0 {
			return
		}
	}
}
