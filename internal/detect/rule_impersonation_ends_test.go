package detect

import (
	"maps"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestImpersonationSweepVisitsEnded checks that sweep and resyncWatch,
// which visit only the users whose sessions ended (ends, opens) or changed
// (changed), leave the rule as visiting every user would: through a
// random run of starts, stops, actions and late events of more users
// than max_keys, over many max_sessions, after each Advance no session
// that ended before the cut is kept, no user without a session, and a
// resync of every user (resyncWatch) changes nothing of the watch when
// Advance resynced; ends and opens are rebuilt (reindex) at random
// points.
func TestImpersonationSweepVisitsEnded(t *testing.T) {
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 7))
		params := map[string]string{"max_session": "1h", "max_keys": "12"}
		r, err := impersonationSpec().New(NewParams("sentinel.impersonation", params, nil), &Env{})
		if err != nil {
			t.Fatal(err)
		}
		imp := r.(*impersonation)
		emit := func(*Alert) {}
		now := tAt("")
		for step := range 3000 {
			user := strconv.Itoa(rng.IntN(30))
			at := now.Add(time.Duration(rng.IntN(40)-5) * time.Minute) // some late
			if rng.IntN(50) == 0 {
				imp.reindex() // as when ends or opens outgrow the sessions
			}
			switch n := rng.IntN(10); {
			case n < 3:
				ev := impStartEv("audit_json.log", at)
				setCol(ev, parser.ColTargetID, user)
				imp.Observe(ev, nil, emit)
			case n < 5:
				ev := impStopEv("audit_json.log", at)
				setCol(ev, parser.ColTargetID, user)
				imp.Observe(ev, nil, emit)
			case n < 7:
				ev := impActionEv("audit_json.log", at, step)
				setCol(ev, parser.ColAuthorID, user)
				imp.Observe(ev, nil, emit)
			default:
				now = now.Add(time.Duration(rng.IntN(25)) * time.Minute)
				resynced := imp.resynced
				imp.Advance(now, emit)
				checkSwept(t, imp, now)
				if imp.resynced != resynced {
					checkResynced(t, imp, now)
				}
			}
			if t.Failed() {
				t.Fatalf("seed %d, step %d", seed, step)
			}
		}
		if imp.Evicted() == 0 {
			t.Errorf("seed %d: no user evicted", seed)
		}
	}
}

// setCol sets ev's column name to v.
func setCol(ev *Event, name, v string) {
	for i := range ev.Columns {
		if ev.Columns[i].Name == name {
			ev.Columns[i].Value = v
			return
		}
	}
	ev.Columns = append(ev.Columns, Column{name, v})
}

// checkSwept fails when imp keeps a session that ended before the cut of
// an Advance to wm, or a user without a session.
func checkSwept(t *testing.T, imp *impersonation, wm time.Time) {
	t.Helper()
	cut := wm.UnixNano() - int64(imp.maxSession)
	imp.sessions.each(func(k sessKey, ss *[]impSession) bool {
		if len(*ss) == 0 {
			t.Errorf("user %v kept without a session", k)
		}
		for _, s := range *ss {
			if s.end(imp.maxSession) < cut {
				t.Errorf("user %v: session %+v kept, ended before the cut %d", k, s, cut)
			}
		}
		return true
	})
}

// checkResynced fails when resyncWatch would change the watch: what it
// holds per user and what it publishes.
func checkResynced(t *testing.T, imp *impersonation, wm time.Time) {
	t.Helper()
	w := &imp.watch
	held := maps.Clone(w.held)
	pub := published(w)
	imp.resyncWatch(wm.UnixNano() - 2*int64(imp.maxSession))
	if !maps.EqualFunc(held, w.held, func(a, b userWatch) bool { return a.equal(&b) }) {
		t.Errorf("held after resyncChanged %v, after resyncWatch %v", held, w.held)
	}
	if now := published(w); !maps.EqualFunc(pub, now, func(a, b *userWatch) bool { return a.equal(b) }) {
		t.Errorf("published after resyncChanged %v, after resyncWatch %v", pub, now)
	}
}

// published returns the users the watch publishes and their watch.
func published(w *impWatch) map[sessKey]*userWatch {
	m := map[sessKey]*userWatch{}
	if ws := w.keys.Load(); ws != nil {
		for _, e := range ws.tab.ents {
			m[e.k] = e.c.w.Load()
		}
	}
	return m
}
