package detect

import (
	"math/bits"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// ruleBits is a set of rule indices of one engine: bit i for e.rules[i].
type ruleBits uint64

// maxRules bounds the rules one engine runs: the indices of a ruleBits.
// The built-in catalogue has fewer (TestCatalogueFitsRuleSet).
const maxRules = 64

// next returns the lowest index of s and s without it; s must not be
// empty.
func (s ruleBits) next() (int, ruleBits) { return bits.TrailingZeros64(uint64(s)), s & (s - 1) }

// engineTag identifies one Engine for the RuleSets it computes: it is a
// separate allocation so that an event carrying a set keeps no engine
// alive. It is not zero-sized: each has its own address.
type engineTag struct{ _ byte }

// RuleSet is the set of rules of one engine that want a line, as
// Engine.WantRules computed it from the parsed record. A worker stores it
// in the line's Event (Event.Rules) so that Engine.Process runs those
// rules without asking their filters again. The zero RuleSet carries no
// set: Process then derives the set itself, as it does for a set computed
// by another engine (one rebuilt on a reload).
type RuleSet struct {
	tag  *engineTag // the engine whose rule indices bits holds; nil: no set
	bits ruleBits
	// recheck are the rules whose keys match the line but whose
	// WantFilter dropped it: Process asks them again when the WantFilters'
	// epoch (Engine.WantEpoch, taken before they were asked) changed.
	recheck ruleBits
	epoch   uint64
}

// Wanted reports whether some rule wants the line.
func (s RuleSet) Wanted() bool { return s.bits != 0 }

// WantRules is Want returning the rules that want the line rather than
// whether any does: store it in the line's Event (Event.Rules) when
// Wanted, so that Process does not ask the rules' filters again. It is
// Want: safe for concurrent use, lock-free, without allocation.
//
// The set is the rules Process would run at the moment of the call: the
// engine runs with Config.WantFirst, so every WantFilter was asked (as
// Process asks it). It carries no set (Process derives it) without
// WantFirst, where Process gives a WantFilter's rule the lines its filter
// drops. A WantFilter that dropped the line is asked again by Process (on
// the Event) when the epoch changed since (WantEpoch), so that a line its
// state makes wanted between WantRules and Process (a user added to
// sentinel.impersonation's watch by an earlier line processed meanwhile)
// reaches its rule, as it would without a set.
// A rule whose WantFilter let the line through gets it even if its state
// dropped the line's user meanwhile (a watch expired by the watermark):
// what a WantFilter let through it lets through later (Config.WantFirst).
func (e *Engine) WantRules(t parser.Type, rec *parser.Record) RuleSet {
	var f found
	e.table.findRecord(t, rec, &e.views, true, &f)
	return e.ruleSet(&f)
}

// ruleSet is the RuleSet of what find found. Its epoch is the one taken
// before the first WantFilter was asked: without a WantFilter asked, no
// rule is rechecked (recheck is empty) and the epoch is not read.
func (e *Engine) ruleSet(f *found) RuleSet {
	s := RuleSet{bits: f.want, recheck: f.declined, epoch: f.epoch}
	if e.cfg.WantFirst {
		s.tag = e.tag
	}
	return s
}

// A Wanter asks WantRules of one engine for one goroutine at a time (a
// parse worker), through a view of the line it holds instead of one taken
// from the engine's pool for each line. Until its next call it holds
// references to the values of the last record it was asked about.
type Wanter struct {
	e *Engine
	v lineView
}

// NewWanter returns a Wanter of e.
func (e *Engine) NewWanter() *Wanter {
	w := &Wanter{e: e}
	// The engine's one WantFilter, when a recordWanter, is the soleRW of
	// the types that have one: the hint sums it computes are the engine's.
	h, _ := e.hinter()
	_, w.v.sumHints = h.(recordWanter)
	return w
}

// Engine returns the engine w asks.
func (w *Wanter) Engine() *Engine { return w.e }

// WantRules is Engine.WantRules; w must not be used concurrently.
func (w *Wanter) WantRules(t parser.Type, rec *parser.Record) RuleSet {
	e := w.e
	var f found
	switch {
	case int(t) >= nTypes:
		w.v.sums.ok = false
	case e.table.types[t].soleRW != nil:
		e.table.viewSole(t, rec, &w.v, &f)
	case e.table.types[t].viewed:
		e.table.viewFind(t, rec, &w.v, true, &f)
	default:
		w.v.sums.ok = false
		e.table.find(t, (*recColumns)(rec), nil, true, &f)
	}
	return e.ruleSet(&f)
}

// Stamp gives ev, the Event of the record the last WantRules was asked
// about, made with the set it returned, the record's hint sums when
// WantRules computed them (HintSums) and a rule is to be rechecked: the
// recheck of sentinel.impersonation compares them with the users widened
// instead of reading the line (impersonation.recheckLine). An Event not
// stamped, or whose hint columns are all absent, is rechecked by its
// columns.
func (w *Wanter) Stamp(ev *Event) {
	if s := w.v.sums; s.ok && ev.Rules.recheck != 0 {
		ev.hintID, ev.hintName = uint32(s.v), uint32(s.v>>32)
	}
}

// HintSums returns the sums (HintSum) of the values of the hint columns
// (Engine.HintColumns) of the record the last WantRules was asked about,
// that of the k-th column in bits 32k to 32k+31 (0 where the column is
// absent or empty), and true, when WantRules computed them on the way, as
// it does on most audit lines without EventName; else false, and the
// caller computes them from the record if it needs them.
func (w *Wanter) HintSums() (uint64, bool) { return w.v.sums.v, w.v.sums.ok }

// processSet returns the rules Process runs for ev: ev.Rules when this
// engine computed it, with those of its WantFilters that dropped the line
// then and keep it now (asked only when their epoch changed since); else
// the set derived from ev as WantRules derives it from a record (asking
// the WantFilters only with Config.WantFirst).
func (e *Engine) processSet(ev *Event) ruleBits {
	rs := ev.Rules
	if rs.tag != nil && rs.tag == e.tag {
		if rs.recheck == 0 || e.table.epoch() == rs.epoch {
			return rs.bits
		}
		got := e.recheck(ev, rs)
		if got&^rs.bits != 0 {
			ev.makeWhole() // for rules that read what they read (see EventArena.NewFor)
		}
		return rs.bits | got
	}
	e.view.reset(nil, ev)
	s, _ := e.table.set(ev.Type, &e.view, &e.view, e.cfg.WantFirst)
	e.view.reset(nil, nil)
	return s
}

// lineRechecker is implemented by WantFilters that can answer WantLine
// again on the event of a line it dropped, faster than WantLine through a
// view: recheckLine returns what WantLine would answer on ev now, given
// that it dropped ev's line when its WantEpoch was since or later.
type lineRechecker interface {
	recheckLine(ev *Event, since uint64) bool
}

// recheck returns the rules of rs.recheck whose WantFilters want ev now.
// A filter that is the engine's only one and a lineRechecker is asked by
// recheckLine (rs.epoch is then its own epoch); the others by WantLine.
func (e *Engine) recheck(ev *Event, rs RuleSet) ruleBits {
	var got ruleBits
	viewed := false
	for m := rs.recheck; m != 0; {
		var r int
		r, m = m.next()
		f := e.table.wantOnly[r]
		if rc, ok := f.(lineRechecker); ok && len(e.table.wantFilters) == 1 {
			if rc.recheckLine(ev, rs.epoch) {
				got |= ruleBits(1) << r
			}
			continue
		}
		if !viewed {
			ev.makeWhole() // the view reads Columns (see EventArena.NewFor)
			e.view.reset(nil, ev)
			viewed = true
		}
		if f.WantLine(ev.Type, &e.view) {
			got |= ruleBits(1) << r
		}
	}
	if viewed {
		e.view.reset(nil, nil)
	}
	return got
}
