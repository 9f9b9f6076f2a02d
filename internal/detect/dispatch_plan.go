package detect

import (
	"math/bits"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

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
	// blankWant are the rules of cand the table keeps on a line of the
	// atoms blank (no test of eval held), when !fns: most lines.
	blankWant ruleBits
	// probes are the columns of eval, in order, with the tests of the
	// atoms they need (nProbes of them; -1: more than maxProbes, and
	// evalRecord reads tab.byCol instead).
	probes  [maxProbes]probe
	nProbes int8
	// memo holds the last atoms findLegacy answered by the plan, with the
	// rules it found (memoN are set; the next replaces memo[memoNext]); a
	// plan of a lineView's cache is used by one goroutine at a time.
	memo     [planMemo]atomsAnswer
	memoN    uint8
	memoNext uint8
}

// maxProbes bounds the columns of a plan's probes: the lines of the
// generated audit mixes test at most five.
const maxProbes = 6

// probe is a column a plan tests (evalRecord): its ColID, its atoms
// (tab.colMask), its tests, and a filter of the tests of the atoms the
// plan needs: a value whose length and last byte (modulo 64) no needed
// equality test has, and whose first byte (modulo 64) starts no needed
// prefix test, passes none of them, unless other (a test of another kind
// is needed). A value past the filter is tested by atoms: against eq
// alone when the needed tests are one equality test (single; eqBits are
// its atoms), else by colTests.eval.
type probe struct {
	ct       *colTests
	mask     uint64
	inLens   uint64
	inLast   uint64
	preFirst uint64
	eq       string
	eqBits   uint64
	id       parser.ColID
	other    bool
	single   bool
}

// atoms returns the atoms of the column that hold on its value val, which
// is not empty and passed the filter, of those the plan needs (need:
// colTests.eval's).
func (pr *probe) atoms(val string, need uint64) uint64 {
	if pr.single {
		if val == pr.eq {
			return pr.eqBits
		}
		return 0
	}
	return pr.ct.eval(val, need)
}

// newProbe returns the probe of column i of tab for the atoms need.
func (tab *absentTable) newProbe(i int, need uint64) probe {
	ct := &tab.byCol[i]
	pr := probe{ct: ct, mask: tab.colMask[i], id: ct.id, other: ct.otherBits&need != 0}
	n := 0
	for _, t := range ct.in {
		if t.bit&need != 0 && t.val != "" { // "" holds on no value tested
			pr.inLens |= 1 << min(len(t.val), 63)
			pr.inLast |= 1 << (t.val[len(t.val)-1] & 63)
			pr.eq, pr.eqBits = t.val, t.bit
			n++
		}
	}
	for _, t := range ct.pre {
		if t.bit&need != 0 {
			pr.preFirst |= 1 << (t.val[0] & 63)
			n += 2
		}
	}
	pr.single = n == 1 && !pr.other && pr.eq != ""
	return pr
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
// findLegacy has its common case, the first slot, inlined.
func (v *lineView) plan(tab *absentTable, key uint64) *absentPlan {
	if ps := &v.plans[planSlotOf(key)]; ps.key == key && ps.tab == tab {
		return &ps.absentPlan
	}
	return v.planMiss(tab, key)
}

// planMiss is plan past its first slot.
func (v *lineView) planMiss(tab *absentTable, key uint64) *absentPlan {
	i := planSlotOf(key)
	pair := (*[2]planSlot)(v.plans[i : i+2])
	if ps := &pair[1]; ps.tab == tab && ps.key == key {
		return &ps.absentPlan
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
		tab.setProbes(&p)
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

// setProbes sets p's probes, of its columns eval, and its blankWant, once
// the rest of p is set.
func (tab *absentTable) setProbes(p *absentPlan) {
	p.nProbes = -1
	if bits.OnesCount64(p.eval) <= maxProbes {
		p.nProbes = 0
		for m := p.eval; m != 0; m &= m - 1 {
			p.probes[p.nProbes] = tab.newProbe(bits.TrailingZeros64(m), p.atoms)
			p.nProbes++
		}
	}
	if !p.fns {
		var f found
		tab.answer(p.blank, nil, &f, p) // no condFunc reads the line
		p.blankWant = f.want
	}
}
