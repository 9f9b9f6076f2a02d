package detect

import "math/bits"

// absentPlan is what the absent table reads and tests of an indexed audit
// record (parser.Record.ColIDs) whose columns of the table are those of
// key: of most lines only a few columns decide, and which ones follows
// from the columns present alone. A term none of whose positive atoms can
// hold on an absent column (blank) is viable when the columns of its
// positive atoms are present; only the rules with a viable term (cand) can
// keep the line, and only the columns of the viable terms' atoms (eval)
// are tested. A line with the dispatch column reads only it.
type absentPlan struct {
	key   uint64   // the record's ColIDs of the table's columns
	fetch uint64   // the ColIDs prefetchIDs reads
	got   uint64   // the columns (of tab.cols) it then holds, absent ones included
	eval  uint64   // the columns whose atoms are tested
	cand  ruleBits // the rules with a viable term
	blank uint64   // the atoms holding before eval: tab.blank less those of columns present
	atoms uint64   // the atoms of the viable terms, those eval tests
	// fns: a term of a rule of cand has condFuncs, which read the line:
	// the answer is not a function of the atoms alone.
	fns bool
	// memo holds the last atoms findLegacy answered by the plan, with the
	// rules it found (memoN are set; the next replaces memo[memoNext]); a
	// plan of a lineView's cache is used by one goroutine at a time.
	memo     [planMemo]atomsAnswer
	memoN    uint8
	memoNext uint8
}

// planMemo is the number of answers a plan remembers: the lines of one
// shape mostly differ in a few atoms (a password sign-in or not).
const planMemo = 4

// atomsAnswer is the rules of the absent table that keep a line of atoms.
type atomsAnswer struct {
	atoms uint64
	want  ruleBits
}

// planSlots is the size of a lineView's cache of plans (two-way set
// associative); a log has few shapes of lines (about 15 in the generated
// audit mixes).
const planSlots = 64

// planSlot is a cached plan of one table.
type planSlot struct {
	tab *absentTable
	absentPlan
}

// planSlotOf is the first of the two cache slots of key.
func planSlotOf(key uint64) int { return int((key*0x9E3779B97F4A7C15)>>(64-6)) &^ 1 }

// plan returns the plan of tab for the columns key, from v's cache: a
// plan not found there replaces the older of the two of its slots.
func (v *lineView) plan(tab *absentTable, key uint64) *absentPlan {
	i := planSlotOf(key)
	pair := (*[2]planSlot)(v.plans[i : i+2])
	for j := range pair {
		if ps := &pair[j]; ps.tab == tab && ps.key == key {
			return &ps.absentPlan
		}
	}
	pair[1] = pair[0]
	pair[0] = planSlot{tab: tab, absentPlan: tab.plan(key)}
	return &pair[0].absentPlan
}

// plan computes the plan of key (see absentPlan).
func (tab *absentTable) plan(key uint64) absentPlan {
	s := &tab.cols
	var present uint64 // the columns of key, and those without ColID (which may be)
	for _, c := range s.ided {
		if key&(1<<c.id) != 0 {
			present |= 1 << c.j
		}
	}
	all := uint64(1)<<len(s.cols) - 1
	present |= all &^ s.idMask
	p := absentPlan{key: key}
	want := uint64(1) // the dispatch column
	if present&1 == 0 {
		for _, c := range tab.reads {
			if i := s.index(c); i >= 0 {
				want |= 1 << i
			}
		}
		var atoms uint64
		for _, e := range tab.entries {
			if e.asked {
				continue
			}
			for _, t := range tab.terms[e.lo:e.hi] {
				var need uint64
				for m := t.pos &^ tab.blank; m != 0; m &= m - 1 {
					need |= 1 << tab.atomCol[bits.TrailingZeros64(m)]
				}
				if need&^present == 0 {
					p.cand |= ruleBits(1) << e.rule
					atoms |= t.pos | t.neg
				}
			}
		}
		p.atoms = atoms
		for _, e := range tab.entries {
			if !e.asked && p.cand&(ruleBits(1)<<e.rule) != 0 {
				for _, t := range tab.terms[e.lo:e.hi] {
					p.fns = p.fns || len(t.fns) > 0
				}
			}
		}
		for m := atoms; m != 0; m &= m - 1 {
			p.eval |= 1 << tab.atomCol[bits.TrailingZeros64(m)]
		}
		p.eval &= present
		want |= p.eval
		// The atoms of the columns present but not tested hold none.
		p.blank = tab.blank
		for m := present &^ p.eval; m != 0; m &= m - 1 {
			p.blank &^= tab.colMask[bits.TrailingZeros64(m)]
		}
	}
	for _, c := range s.ided {
		if want&present&(1<<c.j) != 0 {
			p.fetch |= 1 << c.id
		}
	}
	// Read: the columns fetched, those without ColID (scanned), and the
	// absent ones ("").
	p.got = want&present | all&^s.idMask | all&^present
	return p
}

// fetchPlanned reads the table's columns of the record v views by its plan
// when the record is indexed, and returns the columns present and the
// plan; else it is fetch, with a nil plan.
func (tab *absentTable) fetchPlanned(v *lineView) (uint64, *absentPlan) {
	if v.rec != nil {
		if ids, ok := v.rec.ColIDs(); ok {
			p := v.plan(tab, ids&tab.cols.ids)
			return v.prefetchIDs(&tab.cols, p.fetch, p.got), p
		}
	}
	return tab.fetch(v), nil
}
