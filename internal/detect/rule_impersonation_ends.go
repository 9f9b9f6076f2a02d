package detect

import (
	"cmp"
	"math"
	"slices"
)

// sessEnd is an entry of sessEnds: at (Unix ns) is the end of a session
// of the user k, as it was when the entry was pushed.
type sessEnd struct {
	at int64
	k  sessKey
}

// sessEnds is a min-heap of session ends, the earliest first (typed, so
// that pushing does not box the element). A slice sorted by at is one.
type sessEnds []sessEnd

// endBefore orders session ends, the earliest first.
func endBefore(a, b *sessEnd) bool { return a.at < b.at }

func (h *sessEnds) push(at int64, k sessKey) { *h = heapPush(*h, sessEnd{at, k}, endBefore) }

func (h *sessEnds) pop() sessEnd {
	top, q := heapPop(*h, endBefore)
	*h = q
	return top
}

// minReindex is how many entries ends and opens may hold beyond twice the
// sessions counted at the last reindex before reindex rebuilds them.
const minReindex = 1024

// noteEnd notes a session of k that ends at end (Unix ns; open: the end
// of an open session, which makes every line of k wanted until the
// watermark passes it). k.V must not alias a line.
func (r *impersonation) noteEnd(k sessKey, end int64, open bool) {
	r.ends.push(end, k)
	if open {
		r.opens.push(end, k)
	}
	if limit := 2*r.indexed + minReindex; len(r.ends) > limit || len(r.opens) > limit {
		r.reindex()
	}
}

// reindex rebuilds ends and opens from the sessions: an entry per
// session, and per open session; a user without a session gets an entry
// that the next sweep pops, which forgets the user.
func (r *impersonation) reindex() {
	clear(r.ends)
	clear(r.opens)
	r.ends, r.opens, r.indexed = r.ends[:0], r.opens[:0], 0
	r.sessions.each(func(k sessKey, ss *[]impSession) bool {
		if len(*ss) == 0 {
			r.ends = append(r.ends, sessEnd{math.MinInt64, k})
		}
		for i := range *ss {
			s := &(*ss)[i]
			r.ends = append(r.ends, sessEnd{s.end(r.maxSession), k})
			if s.Stop == 0 {
				r.opens = append(r.opens, sessEnd{s.end(r.maxSession), k})
			}
		}
		r.indexed += len(*ss)
		return true
	})
	byAt := func(a, b sessEnd) int { return cmp.Compare(a.at, b.at) }
	slices.SortFunc(r.ends, byAt)
	slices.SortFunc(r.opens, byAt)
}

// noteChanged notes that k's sessions changed without syncWatch (swept,
// or evicted with k), for the next resyncWatch. Past as many users as
// max_keys it stops listing them: resyncWatch then visits every user.
func (r *impersonation) noteChanged(k sessKey) {
	if r.changedAll {
		return
	}
	if len(r.changed) >= max(r.sessions.max, minReindex) {
		clear(r.changed)
		r.changed, r.changedAll = r.changed[:0], true
		return
	}
	r.changed = append(r.changed, k)
}
