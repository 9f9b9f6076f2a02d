package detect

import "math/bits"

// maxPick is the most column names a picker reads.
const maxPick = 8

// picker reads the values of up to maxPick column names from an event in
// one pass over its columns, where Event.Get would pass once per name: a
// column whose name has a length no name has is passed over with one test.
type picker struct {
	names []string
	byLen [64]uint8 // bit j set in byLen[len(names[j]) % 64]
}

// newPicker returns a picker of names; it panics with more than maxPick.
func newPicker(names ...string) picker {
	if len(names) > maxPick {
		panic("detect: a picker reads at most maxPick columns")
	}
	p := picker{names: names}
	for j, n := range names {
		p.byLen[len(n)%64] |= 1 << j
	}
	return p
}

// pick returns the values of the picker's names in ev, in the order of
// the names: each the value of the first column of that name, as
// Event.Get, "" when there is none.
func (p *picker) pick(ev *Event) (vals [maxPick]string) {
	left := uint8(1)<<len(p.names) - 1 // the names not found yet
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
			break
		}
	}
	return vals
}
