package detect

import (
	"math/bits"
	"slices"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Columns gives read access to a line's columns by name: an *Event, or a
// parsed record while Engine.Want looks at it.
type Columns interface {
	// Get returns the value of column col, or "" when the line has none.
	// The value may alias the line: it is valid only during the call it
	// was passed to, and must be copied (strings.Clone) to be kept.
	Get(col string) string
}

// Filter is implemented by rules that can tell from a line's columns,
// before the line is copied into an Event, that Observe would discard it
// at once. The engine asks Keep in Want (on the parsed record, from any
// parse worker, concurrently), and in Process (on the Event) before
// Observe when the event carries no rule set of the engine (Event.Rules);
// Keep must hold for every line on which Observe could act, must
// not depend on the rule's state (Process calls it under the engine's lock,
// Want without), must not allocate, and must not keep c or its values.
type Filter interface {
	Keep(t parser.Type, c Columns) bool
}

// WantFilter is implemented by rules whose interest in a line depends on
// state (e.g. the impersonation sessions open): WantLine is asked in Want
// only, concurrently with Process, and must be safe for that; Process still
// gives the rule every event that matches its keys. WantLine must not
// allocate per call, and must not keep c or its values.
type WantFilter interface {
	WantLine(t parser.Type, c Columns) bool
	// WantEpoch changes whenever WantLine starts wanting lines it did not
	// want before (see Engine.WantEpoch).
	WantEpoch() uint64
}

// hinter is implemented by WantFilters that can tell which lines they
// started wanting after an epoch: wantHints appends to dst strings of
// which each such line's bytes contain at least one (see
// Engine.WantHints), or reports false when it cannot tell.
type hinter interface {
	wantHints(since uint64, dst []string) ([]string, bool)
	// hintColumns returns the columns of which each such line of type t
	// has a hint as the whole value, empty when there is no such line of
	// type t (see Engine.HintColumns).
	hintColumns(t parser.Type) []string
}

// maxMemo bounds the columns a lineView remembers; the filters of the
// built-in catalogue read fewer.
const maxMemo = 24

// lineView is the Columns of one line that the filters are asked about:
// each column is looked up in the record or Event once per line, however
// many rules' filters read it. The columns of one colSet can be read in
// one pass (prefetch); Get answers them from there.
type lineView struct {
	ev    *Event
	rec   *parser.Record
	n     int
	names [maxMemo]string
	vals  [maxMemo]string
	// set holds the columns prefetch read (nil: none); of the columns of
	// got, fetched[i] is the value of set.cols[i] when bit i of present is
	// set, else "". A column of set not in got (prefetchIDs left it) is
	// read from the record on first use (fetchOne).
	set     *colSet
	present uint64
	got     uint64
	fetched [64]string
	// For the records read with set seenOf: shape holds, by field
	// position, the last record's names with their indices in the set, so
	// that a record of the same columns as the last one (most are) has
	// each field's index by one comparison of addresses; seen holds the
	// names found outside the set's pinned names (meta.* columns, ...) at
	// their slot of colSet.ptrs, so that they are not hashed again.
	// Holding a name keeps its bytes from being reused for another name.
	seenOf *colSet
	shape  [maxShape]seenName
	seen   [256]seenName
	// plans caches the absent tables' plans by the columns of the
	// records (see absentTable.fetchPlanned).
	plans [planSlots]planSlot
	// sumHints: the view is a Wanter's, which gives the hint sums of the
	// line (Wanter.HintSums); sums are those of the line, when the
	// engine's hinter computed them on the way (viewSole).
	sumHints bool
	sums     hintSums
}

// maxShape bounds the fields of lineView.shape.
const maxShape = 32

// seenName is a column name and its index in a colSet (-1: none).
type seenName struct {
	name string
	idx  int
}

// reset points v at a record (ev nil) or an Event (rec nil), forgetting
// what was read of the line before.
func (v *lineView) reset(rec *parser.Record, ev *Event) {
	for m := v.present; m != 0; m &= m - 1 {
		v.fetched[bits.TrailingZeros64(m)] = "" // keep no reference to the line
	}
	v.rec, v.ev, v.n, v.set, v.present, v.got = rec, ev, 0, nil, 0, 0
	v.sums.ok = false
}

// Get implements Columns. For a record the value aliases the parser's
// buffer (no copy): it is valid until the record is reused.
func (v *lineView) Get(col string) string {
	if s := v.set; s != nil {
		// s.lookup, its common case inlined: a name of the parser.
		i := -1
		if e := &s.ptrs[ptrSlot(col, s.pmul)]; e.p == uintptr(unsafe.Pointer(unsafe.StringData(col))) && int(e.n) == len(col) && e.p != 0 {
			i = int(e.idx)
		} else {
			i = s.hashLookup(col)
		}
		if i >= 0 && (v.got&(1<<i) != 0 || v.fetchOne(i)) {
			return v.fetched[i]
		}
	}
	for i := range v.n {
		// Column names are the parser's constants: compare the pointers
		// (a name spelled elsewhere only misses the memo).
		if unsafe.StringData(v.names[i]) == unsafe.StringData(col) && len(v.names[i]) == len(col) {
			return v.vals[i]
		}
	}
	var s string
	switch {
	case v.ev != nil:
		s = v.ev.Get(col)
	case v.rec != nil:
		if b, _ := v.rec.Get(col); len(b) > 0 {
			s = unsafe.String(&b[0], len(b))
		}
	}
	if v.n < maxMemo {
		v.names[v.n], v.vals[v.n] = col, s
		v.n++
	}
	return s
}

// fetchedCol returns the value of the column of id, and true, when the
// set prefetch read holds the column ("" when the line has none); false
// when it does not (Get must look the column up). A fetched entry whose
// column is absent is always "" (prefetch and reset clear them).
func (v *lineView) fetchedCol(id parser.ColID) (string, bool) {
	if s := v.set; s != nil {
		if j := int(s.pos[id%parser.NumColIDs]); j >= 0 {
			j &= 63
			if v.got&(1<<j) != 0 || v.fetchOne(j) {
				return v.fetched[j], true
			}
		}
	}
	return "", false
}

// fetchOne reads column j of v.set, which has a parser.ColID, from the
// record (prefetchIDs left it), adds it to got and reports true; false
// when it cannot (no record, no ColID: Get looks the column up).
func (v *lineView) fetchOne(j int) bool {
	id := v.set.idOf[j&63]
	if v.rec == nil || id >= parser.NumColIDs {
		return false
	}
	if b, _ := v.rec.Col(id); len(b) > 0 {
		v.fetched[j&63] = unsafe.String(&b[0], len(b))
		v.present |= 1 << j
	}
	v.got |= 1 << j
	return true
}

// getCol is c.Get(name) for the column name whose parser.ColID is id:
// when c is a lineView whose prefetch read the column, its value from
// there, without hashing the name.
func getCol(c Columns, id parser.ColID, name string) string {
	if v, ok := c.(*lineView); ok && v.set != nil && id < parser.NumColIDs {
		if j := uint8(v.set.pos[id]) & 63; v.got>>j&1 != 0 && v.set.pos[id] >= 0 {
			return v.fetched[j]
		}
	}
	return getColSlow(c, id, name)
}

// getColSlow is getCol for a column the view has not read.
func getColSlow(c Columns, id parser.ColID, name string) string {
	if v, ok := c.(*lineView); ok {
		if val, ok := v.fetchedCol(id); ok {
			return val
		}
	}
	return c.Get(name)
}

// colSet is a set of at most 64 column names with an index by a hash of
// the name (nameHash) whose seed is chosen so that the names of the set
// fall in distinct buckets where it can: a lookup is then one hash, one
// load and at most one string comparison. Names whose bytes it has seen
// (the set's and those given to pin, the parser's constants) are found
// by the address of their bytes first, without reading them.
type colSet struct {
	cols   []string
	seed   uint32
	bucket [256]uint8 // index + 1 into cols of the first name of that hash; 0: none
	next   [64]uint8  // index + 1 of the next name of the same hash; 0: none
	// pinned are the names of ptrs, kept so that their bytes are never
	// reused; ptrs[ptrSlot(p)] holds the answer for the name at p.
	pinned []string
	pmul   uint64
	ptrs   [256]ptrEntry
	// ided are the names with a parser.ColID (read from a parsed record
	// by parser.Record.Col), idMask their bits; pos has, by ColID, the
	// name's index in cols, or -1.
	ided   []idCol
	idMask uint64
	pos    [parser.NumColIDs]int8
	// ids has bit id set for each parser.ColID of ided; idOf has the
	// ColID of each name of cols (parser.NumColIDs: none).
	ids  uint64
	idOf [64]parser.ColID
}

// idCol is a name of a colSet that has a parser.ColID: its index and id.
type idCol struct {
	j  uint8
	id parser.ColID
}

// ptrEntry is the index in cols (or -1) of the name of n bytes at p.
type ptrEntry struct {
	p   uintptr
	n   uint32
	idx int32
}

// nameHash is the bucket of name under seed.
func nameHash(name string, seed uint32) uint8 {
	n := len(name)
	if n == 0 {
		return 0
	}
	x := uint32(n) | uint32(name[0])<<8 | uint32(name[n-1])<<16 | uint32(name[n>>1])<<24
	return uint8((x ^ seed) * 0x9E3779B1 >> 24)
}

// add adds col unless present, empty or the set is full. Only cols and
// index see it until finish indexes the set again.
func (s *colSet) add(col string) {
	if col == "" || len(s.cols) == 64 || slices.Contains(s.cols, col) {
		return
	}
	s.cols = append(s.cols, col)
}

// finish indexes the names of the set, once they are all added: by hash,
// under the seed that puts the fewest in one bucket (build), and by the
// address of their bytes and of those of names (pin).
func (s *colSet) finish(names []string) {
	best, bestChain := uint32(0), len(s.cols)+1
	for seed := range uint32(256) {
		if c := s.chain(seed * 0x01000193); c < bestChain {
			best, bestChain = seed*0x01000193, c
			if c == 1 {
				break
			}
		}
	}
	s.build(best)
	s.pin(names)
}

// chain returns the longest run of names of s in one bucket under seed.
func (s *colSet) chain(seed uint32) int {
	var n [256]uint8
	longest := 0
	for _, c := range s.cols {
		h := nameHash(c, seed)
		n[h]++
		longest = max(longest, int(n[h]))
	}
	return longest
}

// build indexes the names under seed.
func (s *colSet) build(seed uint32) {
	s.seed, s.bucket, s.next = seed, [256]uint8{}, [64]uint8{}
	for i := len(s.cols) - 1; i >= 0; i-- {
		h := nameHash(s.cols[i], seed)
		s.next[i] = s.bucket[h]
		s.bucket[h] = uint8(i + 1)
	}
	s.ided, s.idMask, s.ids = s.ided[:0], 0, 0
	for i := range s.pos {
		s.pos[i] = -1
	}
	for j := range s.idOf {
		s.idOf[j] = parser.NumColIDs
	}
	for j, c := range s.cols {
		if id, ok := parser.ColIDOf(c); ok {
			s.idOf[j] = id
			s.ided = append(s.ided, idCol{j: uint8(j), id: id})
			s.idMask |= 1 << j
			s.pos[id] = int8(j)
			s.ids |= 1 << id
		}
	}
}

// pin indexes by address the bytes of names (which must never change:
// constants, such as parser.Columns) and of the set's names, choosing
// the multiplier that leaves the fewest out (those are found by hash).
func (s *colSet) pin(names []string) {
	for _, n := range names {
		if n != "" && !slices.Contains(s.pinned, n) {
			s.pinned = append(s.pinned, n)
		}
	}
	all := append(slices.Clone(s.cols), s.pinned...)
	best, bestN := uint64(0), -1
	for i := range uint64(64) {
		mul := (i*0x9E3779B97F4A7C15 + 0xBF58476D1CE4E5B9) | 1
		var used [4]uint64 // by slot
		n := 0
		for _, c := range all {
			if h := ptrSlot(c, mul); used[h>>6]&(1<<(h&63)) == 0 {
				used[h>>6] |= 1 << (h & 63)
				n++
			}
		}
		if n > bestN {
			best, bestN = mul, n
		}
	}
	s.pmul, s.ptrs = best, [256]ptrEntry{}
	for _, c := range all {
		e := &s.ptrs[ptrSlot(c, best)]
		if e.p == 0 {
			*e = ptrEntry{p: uintptr(unsafe.Pointer(unsafe.StringData(c))), n: uint32(len(c)), idx: int32(s.hashLookup(c))}
		}
	}
}

// ptrSlot is the slot of ptrs of the name's bytes under mul.
func ptrSlot(name string, mul uint64) uint8 {
	return uint8(uint64(uintptr(unsafe.Pointer(unsafe.StringData(name)))) * mul >> 56)
}

// lookup returns the index of col, or -1.
func (s *colSet) lookup(col string) int {
	e := &s.ptrs[ptrSlot(col, s.pmul)]
	if e.p == uintptr(unsafe.Pointer(unsafe.StringData(col))) && int(e.n) == len(col) && e.p != 0 {
		return int(e.idx)
	}
	return s.hashLookup(col)
}

// hashLookup is lookup by the name's bytes.
func (s *colSet) hashLookup(col string) int {
	for j := s.bucket[nameHash(col, s.seed)]; j != 0; j = s.next[j-1] {
		if s.cols[j-1] == col {
			return int(j - 1)
		}
	}
	return -1
}

// index returns the index of col, or -1.
func (s *colSet) index(col string) int { return slices.Index(s.cols, col) }

// prefetch reads the columns of s in one pass over the line's columns and
// returns the mask of those present (non-empty): bit i for s.cols[i].
// Get answers them from then on, until reset. A column the line holds
// twice has its first value, as Get would read it.
func (v *lineView) prefetch(s *colSet) uint64 {
	for m := v.present; m != 0; m &= m - 1 { // a second prefetch replaces the first
		v.fetched[bits.TrailingZeros64(m)] = ""
	}
	v.set, v.present = nil, 0
	var present, seen uint64
	switch {
	case v.ev != nil:
		for i := range v.ev.Columns {
			c := &v.ev.Columns[i]
			if j := s.lookup(c.Name); j >= 0 && seen&(1<<j) == 0 {
				seen |= 1 << j
				if c.Value != "" {
					v.fetched[j] = c.Value
					present |= 1 << j
				}
			}
		}
	case v.rec != nil:
		// The columns with a ColID are read by position; the fields are
		// searched only for the others.
		if ids, ok := v.rec.ColIDs(); ok {
			for m := ids & s.ids; m != 0; m &= m - 1 { // only those present
				id := parser.ColID(bits.TrailingZeros64(m))
				if b, _ := v.rec.Col(id); len(b) > 0 {
					j := s.pos[id]
					v.fetched[j] = unsafe.String(&b[0], len(b))
					present |= 1 << j
				}
			}
		} else {
			for _, c := range s.ided {
				if b, _ := v.rec.Col(c.id); len(b) > 0 {
					v.fetched[c.j] = unsafe.String(&b[0], len(b))
					present |= 1 << c.j
				}
			}
		}
		if len(s.ided) < len(s.cols) {
			present |= v.scanFields(s, s.idMask)
		}
	}
	v.set, v.present, v.got = s, present, 1<<len(s.cols)-1
	return present
}

// prefetchIDs is prefetch of an indexed record (parser.Record.ColIDs)
// reading only the columns of ids (parser.ColIDs: bits of s.ids the
// record holds) and those of s without ColID; the other columns of s are
// read on first use (fetchOne). It returns the mask of the columns read
// that are present; got says which are read.
func (v *lineView) prefetchIDs(s *colSet, ids, got uint64) uint64 {
	for m := v.present; m != 0; m &= m - 1 {
		v.fetched[bits.TrailingZeros64(m)] = ""
	}
	var present uint64
	for m := ids; m != 0; m &= m - 1 {
		id := parser.ColID(bits.TrailingZeros64(m))
		if b, _ := v.rec.Col(id); len(b) > 0 {
			j := s.pos[id]
			v.fetched[j] = unsafe.String(&b[0], len(b))
			present |= 1 << j
		}
	}
	if len(s.ided) < len(s.cols) {
		present |= v.scanFields(s, s.idMask)
	}
	v.set, v.present, v.got = s, present, got
	return present
}

// scanFields reads into v.fetched the columns of s in v.rec other than
// those of seen (bit i for s.cols[i]), by one pass over its fields, and
// returns the mask of those present. A column the record holds twice has
// its first value, as Get would read it.
func (v *lineView) scanFields(s *colSet, seen uint64) (present uint64) {
	if v.seenOf != s {
		v.seenOf, v.shape, v.seen = s, [maxShape]seenName{}, [256]seenName{}
	}
	for i := range v.rec.Fields {
		f := &v.rec.Fields[i]
		p := unsafe.StringData(f.Name)
		var j int
		if sh := &v.shape[i%maxShape]; len(sh.name) == len(f.Name) && unsafe.StringData(sh.name) == p && p != nil {
			j = sh.idx // as in the last record
		} else {
			j = v.lookup(s, f.Name)
			if p != nil {
				*sh = seenName{f.Name, j}
			}
		}
		if j >= 0 && seen&(1<<j) == 0 {
			seen |= 1 << j
			if len(f.Value) > 0 {
				v.fetched[j] = unsafe.String(&f.Value[0], len(f.Value))
				present |= 1 << j
			}
		}
	}
	return present
}

// lookup is s.lookup remembering in v.seen the names s has not pinned.
func (v *lineView) lookup(s *colSet, col string) int {
	p, slot := unsafe.StringData(col), ptrSlot(col, s.pmul)
	if e := &s.ptrs[slot]; e.p == uintptr(unsafe.Pointer(p)) && int(e.n) == len(col) && e.p != 0 {
		return int(e.idx)
	}
	sn := &v.seen[slot]
	if len(sn.name) == len(col) && unsafe.StringData(sn.name) == p && p != nil {
		return sn.idx
	}
	j := s.hashLookup(col)
	if p != nil {
		*sn = seenName{col, j}
	}
	return j
}

// reader is implemented by rules with a WantFilter on audit lines without
// EventName: reads returns the columns WantLine reads, so that they are
// read in the same pass as the columns of the fallback conditions
// (absentTable).
type reader interface {
	reads() []string
}

// absentConder is implemented by rules with a Filter whose Keep, on an
// audit line without EventName (the lines of the fallback predicates),
// is exactly a condition on the line's columns: absentCond returns it.
// The dispatch table compiles these conditions into one test of the
// line's columns (absentTable) and asks no such rule's Keep; a rule whose
// Keep it cannot express does not implement it and is asked.
type absentConder interface {
	absentCond() cond
}
