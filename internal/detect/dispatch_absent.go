package detect

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// absentTable answers, for an audit line without EventName, which of the
// rules that want such lines (the fallback predicates) keep it, from one
// pass over the line's columns instead of asking each rule's Filter.
//
// It is compiled once from the rules' absentCond: every leaf test of a
// column (colCond) becomes an atom, a bit of a mask; each rule's
// condition becomes a disjunction of terms, each a set of atoms that must
// hold, a set that must not, and the condFuncs that must hold too. A line
// is then tested by reading the table's columns in one pass (prefetch),
// computing the atoms of the columns present (those of absent columns are
// known in advance), and comparing masks; a condFunc is asked only when
// the rest of its term holds.
type absentTable struct {
	// cols are the dispatch column (EventName), the columns the asked
	// rules read, then those of the atoms (see index).
	cols    colSet
	name    string       // the dispatch column
	reads   []string     // columns the asked rules read
	atoms   []colCond    // with op opIn, opPrefix, opSuffix or opContains
	byCol   [64]colTests // the atoms' tests by column
	colMask [64]uint64   // atoms on each column
	blank   uint64       // atoms that hold on an absent column ("")
	// atomCols are the columns with atoms, a mask over cols; atomCol is
	// the column of each atom.
	atomCols uint64
	atomCol  [maxAtoms]uint8
	terms    []term
	// atomRules are, by atom, the rules with a term that needs it (pos);
	// posFree are the rules with a term that needs none; answered are the
	// rules the table answers for (not asked).
	atomRules [maxAtoms]ruleBits
	posFree   ruleBits
	answered  ruleBits
	// entries describe ct.absent, index for index; entryOf is the entry of
	// each rule the table answers for.
	entries []absentEntry
	entryOf [maxRules]uint8
	// asked are the rules of ct.absent the table does not answer
	// (WantFilters, Filters without absentCond, rules without filter);
	// askedRW has, index for index, the recordWanter of each without a
	// Filter (nil: none, or it has a Filter), for findLegacy.
	asked   []int
	askedRW []recordWanter
}

// term is a conjunction: the atoms of pos hold, those of neg do not, and
// so does every fn.
type term struct {
	pos, neg uint64
	fns      []condFunc
}

// absentEntry is how the table answers for one rule: by its terms
// [lo, hi), or (asked) not at all.
type absentEntry struct {
	asked  bool
	rule   int
	lo, hi int
}

// Limits of the compilation: a condition beyond them leaves its rule to
// be asked.
const (
	maxAtoms     = 64
	maxRuleTerms = 64
)

// addRule registers the next rule of ct.absent: compiled when it is a
// Filter with absentCond and no WantFilter, else asked; reads are columns
// its WantFilter reads, fetched in the same pass.
func (tab *absentTable) addRule(r int, rule Rule, reads []string) {
	tab.cols.add(tab.name) // first, so that index rebuilds the same set
	for _, c := range reads {
		if !slices.Contains(tab.reads, c) {
			tab.reads = append(tab.reads, c)
			tab.cols.add(c)
		}
	}
	_, isFilter := rule.(Filter)
	_, isWant := rule.(WantFilter)
	ac, ok := rule.(absentConder)
	if ok && isFilter && !isWant {
		nAtoms := len(tab.atoms)
		ts, ok := tab.compile(ac.absentCond())
		if ok && len(ts) <= maxRuleTerms {
			lo := len(tab.terms)
			tab.terms = append(tab.terms, ts...)
			b := ruleBits(1) << r
			for _, t := range ts {
				for m := t.pos; m != 0; m &= m - 1 {
					tab.atomRules[bits.TrailingZeros64(m)] |= b
				}
				if t.pos == 0 {
					tab.posFree |= b
				}
			}
			tab.answered |= b
			tab.entryOf[r] = uint8(len(tab.entries))
			tab.entries = append(tab.entries, absentEntry{rule: r, lo: lo, hi: len(tab.terms)})
			tab.index()
			return
		}
		tab.atoms = tab.atoms[:nAtoms]
	}
	tab.entries = append(tab.entries, absentEntry{asked: true, rule: r})
	tab.asked = append(tab.asked, r)
	rw, _ := rule.(recordWanter)
	if isFilter {
		rw = nil // Keep is asked first (dispatch.ask)
	}
	tab.askedRW = append(tab.askedRW, rw)
	tab.index()
}

// index rebuilds cols (the same names: the dispatch column, the reads,
// then the atoms' columns), indexed by address too for the parser's audit
// columns (colSet.finish), and byCol, colMask, atomCols and blank from the
// atoms.
func (tab *absentTable) index() {
	var cols colSet
	cols.add(tab.name)
	for _, c := range tab.reads {
		cols.add(c)
	}
	for _, c := range tab.cols.cols {
		cols.add(c)
	}
	cols.finish(parser.Columns(parser.TypeAudit))
	tab.cols = cols
	tab.byCol, tab.colMask, tab.blank, tab.atomCols = [64]colTests{}, [64]uint64{}, 0, 0
	for i := range tab.byCol {
		tab.byCol[i].id = parser.NumColIDs
		if i < len(tab.cols.cols) {
			tab.byCol[i].id = tab.cols.idOf[i]
		}
	}
	for a, c := range tab.atoms {
		i := tab.cols.index(c.col)
		for _, val := range c.vals {
			tab.byCol[i].add(test{op: c.op, val: val, bit: 1 << a})
		}
		tab.colMask[i] |= 1 << a
		tab.byCol[i].mask |= 1 << a
		tab.atomCols |= 1 << i
		tab.atomCol[a] = uint8(i)
		if c.test("") {
			tab.blank |= 1 << a
		}
	}
}

// compile returns c as a disjunction of terms, or false when c is beyond
// the table (an unknown kind of condition, too many atoms or columns or
// terms).
func (tab *absentTable) compile(c cond) ([]term, bool) {
	switch c := c.(type) {
	case colCond:
		return tab.leaf(c)
	case allOf:
		out := []term{{}}
		for _, x := range c {
			ts, ok := tab.compile(x)
			if !ok {
				return nil, false
			}
			var next []term
			for _, a := range out {
				for _, b := range ts {
					if t, ok := a.and(b); ok {
						next = append(next, t)
					}
				}
			}
			if len(next) > maxRuleTerms {
				return nil, false
			}
			out = next
		}
		return out, true
	case anyOf:
		var out []term
		for _, x := range c {
			ts, ok := tab.compile(x)
			if !ok {
				return nil, false
			}
			out = append(out, ts...)
		}
		return out, len(out) <= maxRuleTerms
	case condFunc:
		return []term{{fns: []condFunc{c}}}, true
	}
	return nil, false
}

// leaf returns the one term of a column test: its atom (the test, or for
// opNotIn and opNotPrefix the opIn and opPrefix test it negates) in pos,
// or in neg when negated.
func (tab *absentTable) leaf(c colCond) ([]term, bool) {
	neg := false
	switch c.op {
	case opNotIn:
		c.op, neg = opIn, true
	case opNotPrefix:
		c.op, neg = opPrefix, true
	case opIn, opPrefix, opSuffix, opContains:
	default:
		return nil, false
	}
	a := slices.IndexFunc(tab.atoms, func(x colCond) bool {
		return x.col == c.col && x.op == c.op && slices.Equal(x.vals, c.vals)
	})
	if a < 0 {
		tab.cols.add(c.col)
		if len(tab.atoms) == maxAtoms || tab.cols.index(c.col) < 0 {
			return nil, false
		}
		a = len(tab.atoms)
		tab.atoms = append(tab.atoms, c)
	}
	if neg {
		return []term{{neg: 1 << a}}, true
	}
	return []term{{pos: 1 << a}}, true
}

// and returns the conjunction of t and u, false when it cannot hold.
func (t term) and(u term) (term, bool) {
	out := term{pos: t.pos | u.pos, neg: t.neg | u.neg}
	if out.pos&out.neg != 0 {
		return term{}, false
	}
	if len(t.fns)+len(u.fns) > 0 {
		out.fns = append(append([]condFunc(nil), t.fns...), u.fns...)
	}
	return out, true
}

// answer adds to s.want the rules the table answers for that keep the
// line of the atoms, and adds every rule it answers for to s.done. Only
// the rules with a term the atoms may satisfy are tested: those with a
// term that needs one of the atoms, or none, and with a plan (non-nil)
// only those it leaves.
func (tab *absentTable) answer(atoms uint64, c Columns, s *found, p *absentPlan) {
	cand := tab.posFree
	for m := atoms; m != 0; m &= m - 1 {
		cand |= tab.atomRules[bits.TrailingZeros64(m)]
	}
	if p != nil {
		cand &= p.cand
	}
	for cand &^= s.done; cand != 0; {
		var r int
		r, cand = cand.next()
		if tab.keeps(int(tab.entryOf[r]), atoms, c) {
			s.want |= ruleBits(1) << r
		}
	}
	s.done |= tab.answered
}

// nameValue returns the value of the dispatch column after fetch returned
// present: cols[0] (see addRule).
func (tab *absentTable) nameValue(v *lineView, present uint64) string {
	if present&1 == 0 {
		return ""
	}
	return v.fetched[0]
}

// fetch reads the table's columns of the line v views in one pass (see
// lineView.prefetch), the dispatch column among them, and returns those
// present.
func (tab *absentTable) fetch(v *lineView) uint64 { return v.prefetch(&tab.cols) }

// eval returns the atoms that hold on the line v views, after fetch
// returned present; with a plan (non-nil: fetchPlanned's), only the
// atoms of its viable terms are right (see absentPlan), and no other atom
// of a column it does not test holds.
func (tab *absentTable) eval(v *lineView, present uint64, p *absentPlan) uint64 {
	atoms, cols, need := tab.blank, present&tab.atomCols, ^uint64(0)
	if p != nil {
		atoms, cols, need = p.blank, cols&p.eval, p.atoms
	}
	for m := cols; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		atoms &^= tab.colMask[i]
		if ct, val := &tab.byCol[i], v.fetched[i]; ct.mayHold(val, need) {
			atoms |= ct.eval(val, need)
		}
	}
	return atoms
}

// mayHold reports whether one of the tests of need may hold on val: false
// when no equality test has its length, no prefix test its first byte, and
// no other test is needed (most values of most columns).
func (ct *colTests) mayHold(val string, need uint64) bool {
	return ct.inLens&(1<<min(len(val), 63)) != 0 || ct.otherBits&need != 0 ||
		val != "" && ct.preFirst[val[0]>>6]&(1<<(val[0]&63)) != 0
}

// colTests are the tests of the atoms of one column: each distinct test
// once, with the atoms it makes hold, the equality tests apart.
//
// The fields findLegacy reads of every column it tests come first, in
// 64 bytes, so that a column whose value passes no test mostly costs one
// cache line.
type colTests struct {
	// mask are the atoms on the column (absentTable.colMask) and id its
	// parser.ColID (parser.NumColIDs: none), for evalRecord.
	mask uint64
	id   parser.ColID
	// inLens has bit n set when an equality test's value has n bytes
	// (bit 63: 63 or more): a value of another length passes none.
	inLens uint64
	// otherBits are the atoms of other: a value is tested against none
	// of them when none is needed.
	otherBits uint64
	// pre are the opPrefix tests of a non-empty value; preFirst has bit b
	// set when one of them starts with byte b: a value starting with
	// another byte passes none, and most values are skipped so.
	preFirst [4]uint64
	in       []test // opIn
	pre      []test
	other    []test // opSuffix, opContains, opPrefix of ""
}

// add adds t, merged into the test of the same op and value if any.
func (ct *colTests) add(t test) {
	tests := &ct.other
	switch {
	case t.op == opIn:
		tests = &ct.in
		ct.inLens |= 1 << min(len(t.val), 63)
	case t.op == opPrefix && t.val != "":
		tests = &ct.pre
		ct.preFirst[t.val[0]>>6] |= 1 << (t.val[0] & 63)
	default:
		ct.otherBits |= t.bit
	}
	for i := range *tests {
		if x := &(*tests)[i]; x.op == t.op && x.val == t.val {
			x.bit |= t.bit
			return
		}
	}
	*tests = append(*tests, t)
}

// eval returns the atoms of the column that hold on its value val, of
// those of need: a test none of whose atoms is needed is not applied (its
// atoms may hold or not).
func (ct *colTests) eval(val string, need uint64) uint64 {
	var atoms uint64
	if ct.inLens&(1<<min(len(val), 63)) != 0 {
		for i := range ct.in {
			if t := &ct.in[i]; t.bit&need != 0 && len(t.val) == len(val) && t.val == val {
				atoms |= t.bit
			}
		}
	}
	if val != "" && ct.preFirst[val[0]>>6]&(1<<(val[0]&63)) != 0 {
		for i := range ct.pre {
			if t := &ct.pre[i]; t.bit&need&^atoms != 0 && t.val[0] == val[0] && strings.HasPrefix(val, t.val) {
				atoms |= t.bit
			}
		}
	}
	for i := range ct.other {
		if t := &ct.other[i]; t.bit&need&^atoms != 0 && t.holds(val) {
			atoms |= t.bit
		}
	}
	return atoms
}

// test is one value of an atom: the atom (bit) holds when the column's
// value passes the test of one of its values.
type test struct {
	op  colOp // opIn, opPrefix, opSuffix or opContains
	val string
	bit uint64
}

// holds applies the test to v as colCond.test applies it to each value.
func (t *test) holds(v string) bool {
	switch t.op {
	case opIn:
		return v == t.val
	case opPrefix:
		return strings.HasPrefix(v, t.val)
	case opSuffix:
		return strings.HasSuffix(v, t.val)
	case opContains:
		return strings.Contains(v, t.val)
	}
	return false
}

// holds reports whether one of terms holds given the atoms; the condFuncs
// are asked through c.
func holds(terms []term, atoms uint64, c Columns) bool {
	for i := range terms {
		t := &terms[i]
		if atoms&t.pos != t.pos || atoms&t.neg != 0 {
			continue
		}
		ok := true
		for _, f := range t.fns {
			if !f(c) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// keeps reports whether the rule of entry j keeps the line of the atoms
// (entry j is not asked).
func (tab *absentTable) keeps(j int, atoms uint64, c Columns) bool {
	e := tab.entries[j]
	return holds(tab.terms[e.lo:e.hi], atoms, c)
}
