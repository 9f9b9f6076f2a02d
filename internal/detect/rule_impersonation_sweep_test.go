package detect

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestImpersonationSweep checks that the sessions sentinel.impersonation
// keeps are, after each minute of watermark, exactly those that end at or
// after the watermark less max_session (a stopped session at its stop, an
// open one at its start plus max_session), whatever the order of starts,
// stops and advances, and that the watch holds the users with a session
// kept and no other: sweep visits the sessions only when one may have
// ended (endsFrom), must forget no fewer than a visit every minute, and
// updates the watch of the users it changes.
func TestImpersonationSweep(t *testing.T) {
	const (
		startLine  = `{"severity":"INFO","time":"%s","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":%d,"target_type":"User","target_details":"u%d","author_name":"Administrator","entity_path":"root"}`
		stopLine   = `{"severity":"INFO","time":"%s","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Stopped Impersonation","target_id":%d,"target_type":"User","target_details":"u%d","author_name":"Administrator","entity_path":"root"}`
		maxSession = 2 * time.Hour
	)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			e, err := New(Config{Only: []string{"sentinel.impersonation"}, Params: map[string]string{"max_session": maxSession.String()}})
			if err != nil {
				t.Fatal(err)
			}
			r := impRule(e)
			rng := rand.New(rand.NewPCG(seed, 0))
			want := map[int][]modelSession{}
			at := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
			for range 600 {
				at = at.Add(time.Duration(rng.IntN(20)+1) * time.Minute)
				user := rng.IntN(8) + 3
				ss := want[user]
				open := len(ss) > 0 && ss[len(ss)-1].stop.IsZero() && at.Before(ss[len(ss)-1].end(maxSession))
				line := fmt.Sprintf(startLine, at.Format(time.RFC3339Nano), user, user)
				switch {
				case open && rng.IntN(2) == 0:
					line = fmt.Sprintf(stopLine, at.Format(time.RFC3339Nano), user, user)
					ss[len(ss)-1].stop = at
				case !open && (len(ss) == 0 || !at.Before(ss[len(ss)-1].end(maxSession))):
					want[user] = append(ss, modelSession{start: at})
				default:
					continue // a start of an open session folds; keep the model simple
				}
				e.Process(parseLB(t, line))
				e.Advance(at.Add(time.Millisecond)) // as the agent does when idle: the event is evaluated
				cut := e.Watermark().Add(-maxSession)
				for u, ss := range want {
					ss = slices.DeleteFunc(ss, func(s modelSession) bool { return s.end(maxSession).Before(cut) })
					if len(ss) == 0 {
						delete(want, u)
					} else {
						want[u] = ss
					}
				}
				got := map[int]int{}
				r.sessions.each(func(k sessKey, ss *[]impSession) bool {
					var u int
					fmt.Sscan(k.V, &u)
					got[u] = len(*ss)
					return true
				})
				for u, ss := range want {
					if got[u] != len(ss) {
						t.Fatalf("at %s (watermark %s): user %d has %d sessions kept, want %d", at, e.Watermark(), u, got[u], len(ss))
					}
				}
				if len(got) != len(want) {
					t.Fatalf("at %s: %d users kept, want %d", at, len(got), len(want))
				}
				for u := 3; u <= 10; u++ {
					if _, kept := want[u]; r.watch.has(sessKey{V: fmt.Sprint(u)}) != kept {
						t.Fatalf("at %s: user %d watched %v, want %v (sessions kept)", at, u, !kept, kept)
					}
				}
			}
		})
	}
}

// modelSession is a session in TestImpersonationSweep's model of the
// rule; stop is zero while it is open.
type modelSession struct{ start, stop time.Time }

// end is impSession.end for the model.
func (s modelSession) end(max time.Duration) time.Time {
	if !s.stop.IsZero() {
		return s.stop
	}
	return s.start.Add(max)
}

// TestImpersonationWatchNarrows checks that the watch stops wanting every
// line of a user within resyncEvery minutes of watermark once what made
// it want them has passed: an open session its end (start + max_session:
// then only the lines inside the session are wanted), or a start that
// Want let through but the rule never folded its cut (start + 2 ×
// max_session). Both happen with no session swept or evicted, after a
// first resync has run, so Advance must not skip the resync then
// (mayNarrow).
func TestImpersonationWatchNarrows(t *testing.T) {
	const (
		start  = `{"severity":"INFO","time":"2021-12-06T%s.000Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","entity_path":"root"}`
		action = `{"severity":"INFO","time":"2021-12-06T%s.000Z","author_id":3,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"John Doe","entity_path":"jdoe/secret-project"}`
	)
	for _, c := range []struct {
		name    string
		process bool   // the start reaches the rule; else only Want sees it
		after   string // an action then, wanted until the watch narrows
		until   string // the watermark advanced to, minute by minute
		inside  string // an action in the session, still wanted then (when the rule holds one)
	}{
		{"open session past its end", true, "11:40:00", "11:55:00", "10:30:00"},
		{"announced start past its cut", false, "12:10:00", "12:20:00", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(Config{Only: []string{"sentinel.impersonation"}, Params: map[string]string{"max_session": "1h"}})
			if err != nil {
				t.Fatal(err)
			}
			p := parser.New(parser.TypeAudit)
			parse := func(tmpl, at string) *parser.Record {
				var rec parser.Record
				if err := p.Parse(fmt.Appendf(nil, tmpl, at), &rec); err != nil {
					t.Fatal(err)
				}
				return &rec
			}
			at := func(hms string) time.Time { return parse(action, hms).Time }
			other := strings.Replace(action, `"author_id":3`, `"author_id":4`, 1)
			e.Process(NewEvent(parse(other, "09:00:00"), fmt.Appendf(nil, other, "09:00:00"), "audit_json.log", OriginFile))
			e.Advance(at("09:00:00")) // a first resync, before the start
			rec := parse(start, "10:00:00")
			if !e.Want(parser.TypeAudit, rec) {
				t.Fatal("the start was not wanted")
			}
			if c.process {
				e.Process(NewEvent(rec, fmt.Appendf(nil, start, "10:00:00"), "audit_json.log", OriginFile))
			}
			e.Advance(at("10:01:00"))
			late := parse(action, c.after)
			if !e.Want(parser.TypeAudit, late) {
				t.Fatalf("an action at %s not wanted while the user is watched", c.after)
			}
			for wm := at("10:01:00"); !wm.After(at(c.until)); wm = wm.Add(time.Minute) {
				e.Advance(wm) // minute by minute, as idle sources advance it
			}
			if e.Want(parser.TypeAudit, late) {
				t.Errorf("an action at %s still wanted at watermark %s", c.after, e.Watermark().Format("15:04"))
			}
			if c.inside != "" && !e.Want(parser.TypeAudit, parse(action, c.inside)) {
				t.Errorf("an action at %s, inside the session, no longer wanted", c.inside)
			}
		})
	}
}
