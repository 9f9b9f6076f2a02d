package detect

import (
	"slices"
	"strconv"
	"strings"
)

// cond is a condition on an event's columns: the declarative part of the
// per-event rule table: equality, membership, prefix, substring and their
// combinations (and, or, not), built by the helpers below.
//
// The dispatch table compiles conditions (absentTable): a colCond is a
// test of one column's value, allOf and anyOf combine them, and condFunc
// is asked as it is.
type cond interface {
	match(c Columns) bool
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

func (c colCond) match(cs Columns) bool { return c.test(cs.Get(c.col)) }

// test applies the condition to v, the column's value ("" when absent).
// opNotIn and opNotPrefix are the negations of opIn and opPrefix.
func (c colCond) test(v string) bool {
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

func both(cs ...cond) cond  { return allOf(cs) }
func oneOf(cs ...cond) cond { return anyOf(cs) }

// condFunc is a condition written in Go, for the few tests a column
// comparison cannot express (numeric comparison of from and to).
type condFunc func(c Columns) bool

func (f condFunc) match(c Columns) bool { return f(c) }

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
