package detect

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// colReader is implemented by a rule that reads few columns of the
// events of some types: readsCols returns, for an event of type t, the
// columns (bit id for the parser.ColID id) it reads in Observe (and in
// Keep and WantLine), and true; false when it reads others of t's events
// (a column without a ColID, Columns as a whole) or passes the event on
// (as an Alert's Event, to Clone, to a view of it). An event of such a
// rule alone may then be made thin (EventArena.NewFor): the rule must
// neither read nor pass on more than it declares, as the other columns
// are not there. TestThinEventsAgree checks the rules against full events.
type colReader interface {
	readsCols(t parser.Type) (uint64, bool)
}

// colBits returns the set of ColIDs ids.
func colBits(ids ...parser.ColID) uint64 {
	var m uint64
	for _, id := range ids {
		m |= 1 << id
	}
	return m
}

// identCols are the columns of an event's dedupe identity (see
// Engine.duplicate), and watchCols those by which sentinel.impersonation
// asks again for a line its watch declined (recheckLine): a thin event
// keeps them, so that neither reading them makes it whole.
var (
	identCols = colBits(parser.IDEventID, parser.IDEventName, parser.IDCreatedAt)
	watchCols = colBits(parser.IDAuthorID, parser.IDMetaUser)
)

// thinCols returns the columns a thin event of type t wanted by the rules
// s must carry (see NewFor): what the rules of s read (colReader),
// identCols and watchCols, and true; false when a rule of s reads more
// (it is no colReader, or not of t's events) or when the engine reads
// more of every event (Config.Nodes).
func (e *Engine) thinCols(t parser.Type, s ruleBits) (uint64, bool) {
	if e.cfg.Nodes || s == 0 {
		return 0, false
	}
	m := identCols | watchCols
	for s != 0 {
		var i int
		i, s = s.next()
		cr, ok := e.rules[i].rule.(colReader)
		if !ok {
			return 0, false
		}
		c, ok := cr.readsCols(t)
		if !ok {
			return 0, false
		}
		m |= c
	}
	return m, true
}

// thinCache is what an EventArena remembers of the engine NewFor was
// last given, and of the last RuleSets it asked thinCols about: the lines
// of a batch are wanted by few sets of rules.
type thinCache struct {
	tag      *engineTag // the engine of what is remembered; nil: none
	declines bool       // its KeepsDeclined
	sets     [4]thinSet
	next     uint8 // the entry of sets to replace next
}

// thinSet is thinCols's answer for a set of rules and a type.
type thinSet struct {
	bits ruleBits // 0: no answer
	typ  parser.Type
	cols uint64
	ok   bool
}

// NewFor is New for the line of rec wanted by the rules of set, which the
// engine e computed from rec (Engine.WantRules, Wanter.WantRules): the
// Event's Rules is set. When every rule of set reads only some columns of
// the line's type (and the engine no others, see thinCols), the Event is
// thin: its Columns hold, of rec's fields, only the columns those rules
// read, those of the dedupe identity (EventID, EventName, and CreatedAt
// when the identity's key could not be computed from rec) and those
// sentinel.impersonation's watch asks again about (watchCols), in the
// order of their ColIDs (the record's, for the Audit parser's own
// columns), with an index of them (see Event); as New makes them, a value
// that is a part of the line is a part of Raw (the line itself when
// rawStable), and the others are copied into the arena. That takes a
// fraction of the time and memory of making every column. A thin event
// is whole to every reader that asks Get: asked for a column its line has and it lacks, it is made
// whole (makeWhole: its line is parsed again, by the parser of its Type,
// and its columns made as Fill makes them, in storage of its own); so
// are Clone and DropIndex. Code that reads its Columns otherwise must
// make it whole first: e's Process does before it runs a rule not in set
// (a WantFilter's recheck) or views the event for a recheck; a rule of
// set reads only what it declares. A thin event is made only for e's
// Process: it must not be given to another engine, nor to
// Engine.Declined (NewFor makes none when e keeps declined lines and set
// declined some, RuleSet.Declined). Every other Event NewFor returns is
// New's. Raw, Time and Type are as New makes them.
func (a *EventArena) NewFor(e *Engine, set RuleSet, rec *parser.Record, raw []byte, rawStable bool, extra ...parser.Field) *Event {
	var ev *Event
	if cols, ok := a.thinCols(e, set, rec.Type); ok && len(extra) == 0 {
		ev = a.newThin(rec, cols, raw, rawStable)
	}
	if ev == nil {
		ev = a.New(rec, raw, rawStable, extra...)
	}
	if e.cfg.DedupeLines && ev.identity() == identNone {
		ev.keyLine()
	}
	ev.Rules = set
	return ev
}

// thinCols is e.thinCols for the rules of set, a RuleSet e computed,
// remembered for the next calls; false when set is not e's (or carries
// none), or when e keeps declined lines and set declined some (the event
// may go to Engine.Declined, see NewFor).
func (a *EventArena) thinCols(e *Engine, set RuleSet, t parser.Type) (uint64, bool) {
	c := &a.thin
	if set.tag == nil || set.tag != e.tag {
		return 0, false
	}
	if c.tag != set.tag {
		*c = thinCache{tag: set.tag, declines: e.KeepsDeclined()}
	}
	if set.recheck != 0 && c.declines {
		return 0, false
	}
	for i := range c.sets {
		if s := &c.sets[i]; s.bits == set.bits && s.typ == t {
			return s.cols, s.ok
		}
	}
	s := &c.sets[c.next%uint8(len(c.sets))]
	c.next++
	s.bits, s.typ = set.bits, t
	s.cols, s.ok = e.thinCols(t, set.bits)
	return s.cols, s.ok
}

// newThin returns the thin Event of rec (see NewFor) with the columns
// cols of rec, or nil when rec has no index (it is not one the Audit
// parser filled), or an index
// that does not find one of its columns (the arena's room taken for it
// is then left unused until Reset). It makes the event in one pass over
// the columns kept: a value that is a part of raw is a part of the
// event's Raw, as New makes it (raw itself when rawStable, else its copy
// in the arena); others are copied into the arena. CreatedAt is left out
// when the identity is known without it (identityOf).
func (a *EventArena) newThin(rec *parser.Record, cols uint64, raw []byte, rawStable bool) *Event {
	raw = lineOf(raw)
	ids, ok := rec.ColIDs()
	if !ok {
		return nil
	}
	ident, key := identityOf(rec)
	keep := ids & cols
	if ident != identUnknown {
		keep &^= 1 << parser.IDCreatedAt
	}
	nc, need := bits.OnesCount64(keep), 0
	if !rawStable {
		need = len(raw)
	}
	e, cs := a.alloc(need, nc)
	rs := a.raw(raw, rawStable)
	e.init(rec.Type, rec.Time, rs)
	x := &e.cols
	j := 0
	for m := keep; m != 0; m &= m - 1 {
		id := parser.ColID(bits.TrailingZeros64(m))
		i, ok := rec.ColAt(id)
		if !ok || j >= len(cs) {
			return nil
		}
		f := &rec.Fields[i]
		var v string
		if at, in := partOf(raw, f.Value); in {
			v = rs[at : at+len(f.Value)]
		} else {
			v = a.copied(f.Value)
		}
		cs[j] = Column{Name: f.Name, Value: v}
		if id >= firstMeta {
			x.meta[(id-firstMeta)%(parser.NumColIDs-firstMeta)] = uint8(j)
		}
		j++
	}
	e.Columns = cs
	x.has, x.n = keep, uint32(nc)
	x.thin, x.all, x.rest = true, ids, len(rec.Fields) > bits.OnesCount64(ids)
	if nc > 0 { // else not indexed: duplicate reads the columns, and finds no EventID
		x.ident, e.idKey = ident, key
	}
	return e
}

// copied is bytes for a value newThin reserved no room for: it is
// copied into a new chunk when the arena's is full.
func (a *EventArena) copied(b []byte) string {
	if cap(a.buf)-len(a.buf) < len(b) {
		a.buf = make([]byte, 0, max(2*cap(a.buf), len(b), minArenaBytes))
	}
	return a.bytes(b)
}

// getWhole is Get on a thin event of a column it lacks: "" when its line
// has no such column, else the column's value once the event is whole.
func (e *Event) getWhole(col string) string {
	if id, ok := colIDOf(col); ok && e.cols.all>>id&1 == 0 {
		return ""
	} else if !ok && !e.cols.rest {
		return ""
	}
	e.makeWhole()
	return e.Get(col)
}

// makeWhole makes a thin event (see EventArena.NewFor) whole: its line
// (Raw) is parsed again by the parser of its Type, which made the record
// it was made of, and its Raw, Columns and index are made of it as Fill
// makes them, in storage of its own (two allocations). Its other fields
// (Time included) stay. Of another event it does nothing.
func (e *Event) makeWhole() {
	if !e.cols.thin {
		return
	}
	s := wholeScratches.Get().(*wholeScratch)
	defer wholeScratches.Put(s)
	if s.p == nil || s.typ != e.Type {
		s.p, s.typ = parser.New(e.Type), e.Type
	}
	raw := unsafe.Slice(unsafe.StringData(e.Raw), len(e.Raw)) // only read: Fill copies it
	if s.p == nil || s.p.Parse(raw, &s.rec) != nil {
		e.cols.thin = false // cannot be: the parser parsed this line before
		return
	}
	t := e.Time
	e.Columns = nil // Fill must not write into the arena's columns
	e.Fill(&s.rec, raw)
	e.Time = t
	s.rec.Reset() // keeps no reference to the line
}

// wholeScratch is a parser and a record makeWhole parses a line with;
// wholeScratches keeps them for reuse, so that making an event whole
// allocates only its own storage. They hold nothing between uses.
type wholeScratch struct {
	p   parser.Parser
	typ parser.Type
	rec parser.Record
}

var wholeScratches = sync.Pool{New: func() any { return new(wholeScratch) }}
