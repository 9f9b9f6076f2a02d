package detect

import (
	"cmp"
	"slices"
	"strings"
)

// stampedID is the EventID of an event a rule counted and the event's time
// (Unix ns).
type stampedID struct {
	ID string `json:"id"`
	T  int64  `json:"t"`
}

// idList holds the EventIDs of the most recent events a rule counted, for
// Alert.EventIDs: at most MaxEventIDs, oldest first, in event-time order
// (events of the same time in the order added).
type idList []stampedID

// add records id, the EventID of an event counted at ns (Unix ns). An
// empty id (an event without one) adds nothing. When the list is full the
// oldest is dropped, or, for an event older than all of them, nothing is
// added. The list keeps a copy of id: an event's strings share its line.
func (l *idList) add(id string, ns int64) {
	if id == "" {
		return
	}
	s := *l
	if len(s) >= MaxEventIDs {
		if ns < s[0].T {
			return
		}
		s = append(s[:0], s[len(s)-MaxEventIDs+1:]...)
	}
	if len(s) == cap(s) { // double, as append would, but never past MaxEventIDs
		g := make(idList, len(s), min(max(2*len(s), 1), MaxEventIDs))
		copy(g, s)
		s = g
	}
	i := len(s)
	for i > 0 && s[i-1].T > ns {
		i--
	}
	*l = slices.Insert(s, i, stampedID{ID: strings.Clone(id), T: ns})
}

// ids returns, in a new slice, the EventIDs of the events at from ≤ T < to
// (Unix ns) in the list's order; nil when there are none.
func (l idList) ids(from, to int64) []string {
	var out []string
	for _, s := range l {
		if s.T >= from && s.T < to {
			if out == nil {
				out = make([]string, 0, len(l))
			}
			out = append(out, s.ID)
		}
	}
	return out
}

// expire drops the EventIDs of the events before from (Unix ns).
func (l *idList) expire(from int64) {
	s := *l
	i := 0
	for i < len(s) && s[i].T < from {
		i++
	}
	switch {
	case i == len(s):
		*l = nil
	case i > 0:
		*l = append(s[:0], s[i:]...)
	}
}

// restored returns l as read from a state file with the invariants add
// keeps: no empty id, in event-time order, at most MaxEventIDs (the most
// recent), whatever the file held.
func (l idList) restored() idList {
	l = slices.DeleteFunc(l, func(s stampedID) bool { return s.ID == "" })
	slices.SortStableFunc(l, func(a, b stampedID) int { return cmp.Compare(a.T, b.T) })
	if len(l) > MaxEventIDs {
		l = l[len(l)-MaxEventIDs:]
	}
	if len(l) == 0 {
		return nil
	}
	return l
}

// all returns the list's EventIDs in a new slice; nil when there are none.
func (l idList) all() []string {
	if len(l) == 0 {
		return nil
	}
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s.ID
	}
	return out
}
