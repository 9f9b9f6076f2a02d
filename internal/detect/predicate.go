package detect

import (
	"slices"
	"strconv"
	"strings"
)

// cond is a condition on an event's columns: the declarative part of the
// per-event rule table: equality, membership, prefix, substring and their
// combinations (and, or, not), built by the helpers below.
type cond interface {
	match(c Columns) bool
	// need returns what holds of the line's columns whenever the
	// condition holds: clauses, each a set of columns of which at least
	// one is present; nil when nothing is known.
	need() [][]string
}

// colOp is the test a leaf condition applies to one column.
type colOp uint8

const (
	opIn        colOp = iota // value equals one of vals
	opNotIn                  // value (or "" when absent) equals none of vals
	opPrefix                 // value starts with one of vals
	opNotPrefix              // value starts with none of vals
	opSuffix                 // value ends with one of vals
	opContains               // value contains one of vals
)

// colCond is a leaf condition: col op vals.
type colCond struct {
	col  string
	op   colOp
	vals []string
}

func (c colCond) match(cs Columns) bool {
	v := cs.Get(c.col)
	switch c.op {
	case opIn:
		return slices.Contains(c.vals, v)
	case opNotIn:
		return !slices.Contains(c.vals, v)
	case opPrefix, opNotPrefix:
		hit := slices.ContainsFunc(c.vals, func(p string) bool { return strings.HasPrefix(v, p) })
		return hit == (c.op == opPrefix)
	case opSuffix:
		return slices.ContainsFunc(c.vals, func(p string) bool { return strings.HasSuffix(v, p) })
	case opContains:
		return slices.ContainsFunc(c.vals, func(p string) bool { return strings.Contains(v, p) })
	}
	return false
}

func (c colCond) need() [][]string {
	switch c.op {
	case opNotIn, opNotPrefix:
		return nil
	}
	for _, v := range c.vals {
		if v == "" {
			return nil // an empty prefix, suffix or value matches an absent column
		}
	}
	return [][]string{{c.col}}
}

// in: col equals one of vals. notIn: col equals none of them (an absent
// column is ""). prefix, notPrefix, suffix, contains: string tests on col.
func in(col string, vals ...string) cond        { return colCond{col, opIn, vals} }
func notIn(col string, vals ...string) cond     { return colCond{col, opNotIn, vals} }
func prefix(col string, vals ...string) cond    { return colCond{col, opPrefix, vals} }
func notPrefix(col string, vals ...string) cond { return colCond{col, opNotPrefix, vals} }
func suffix(col string, vals ...string) cond    { return colCond{col, opSuffix, vals} }
func contains(col string, vals ...string) cond  { return colCond{col, opContains, vals} }

// allOf holds when every condition holds (both builds one); anyOf when
// one does (oneOf).
type allOf []cond
type anyOf []cond

func (a allOf) match(cs Columns) bool {
	for _, c := range a {
		if !c.match(cs) {
			return false
		}
	}
	return true
}

func (a anyOf) match(cs Columns) bool {
	for _, c := range a {
		if c.match(cs) {
			return true
		}
	}
	return false
}

// need of allOf: the clauses of every condition (all must hold).
func (a allOf) need() [][]string {
	var all [][]string
	for _, c := range a {
		all = append(all, c.need()...)
	}
	return all
}

// need of anyOf: one clause, the columns of the first clause of every
// condition (one must hold); nil when one has none.
func (a anyOf) need() [][]string {
	var cl []string
	for _, c := range a {
		n := c.need()
		if len(n) == 0 {
			return nil
		}
		for _, col := range n[0] {
			if !slices.Contains(cl, col) {
				cl = append(cl, col)
			}
		}
	}
	return [][]string{cl}
}

func both(cs ...cond) cond  { return allOf(cs) }
func oneOf(cs ...cond) cond { return anyOf(cs) }

// condFunc is a condition written in Go, for the few tests a column
// comparison cannot express (numeric comparison of from and to).
type condFunc func(c Columns) bool

func (f condFunc) match(c Columns) bool { return f(c) }

func (f condFunc) need() [][]string { return nil }

// raised reports whether TargetVisibility (GitLab's "to") is a number
// greater than SourceVisibility ("from"). When either is not a number it
// returns true: a change that cannot be judged is reported.
func raised(ev Columns) bool {
	from, err1 := strconv.ParseFloat(ev.Get("SourceVisibility"), 64)
	to, err2 := strconv.ParseFloat(ev.Get("TargetVisibility"), 64)
	if err1 != nil || err2 != nil {
		return true
	}
	return to > from
}
