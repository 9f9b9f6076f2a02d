package detect

// maxPick is the most column names a picker reads.
const maxPick = 8

// picker reads the values of up to maxPick column names from an event in
// one pass over its columns, where Event.Get would pass once per name: a
// column whose name has a length no name has is passed over with one test.
type picker struct {
	names []string
	lens  uint64 // bit n set when a name has length n (lengths 0 to 63), bit 63 for longer ones
}

// newPicker returns a picker of names; it panics with more than maxPick.
func newPicker(names ...string) picker {
	if len(names) > maxPick {
		panic("detect: a picker reads at most maxPick columns")
	}
	p := picker{names: names}
	for _, n := range names {
		p.lens |= lenBit(n)
	}
	return p
}

func lenBit(name string) uint64 { return 1 << min(len(name), 63) }

// pick returns the values of the picker's names in ev, in the order of
// the names: each the value of the first column of that name, as
// Event.Get, "" when there is none.
func (p *picker) pick(ev *Event) (vals [maxPick]string) {
	var found uint
	all := uint(1)<<len(p.names) - 1
	for i := range ev.Columns {
		c := &ev.Columns[i]
		if p.lens&lenBit(c.Name) == 0 {
			continue
		}
		for j, n := range p.names {
			if found&(1<<j) == 0 && n == c.Name {
				vals[j] = c.Value
				found |= 1 << j
				break
			}
		}
		if found == all {
			break
		}
	}
	return vals
}
