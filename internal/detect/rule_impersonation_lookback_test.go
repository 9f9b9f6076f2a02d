package detect

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Lines of the look-back tests: the application log's start and stop of
// root's impersonation of ext-contractor (user id 4711), and legacy audit
// lines (no event_name, no impersonated_by) by user and minute.
const (
	lbStart = `{"severity":"INFO","time":"2024-05-31T14:00:00.069Z","correlation_id":"C-start","meta.user":"root","meta.user_id":1,"message":"User root has started impersonating ext-contractor"}`
	lbStop  = `{"severity":"INFO","time":"2024-05-31T14:20:00.000Z","correlation_id":"C-stop","meta.user":"root","meta.user_id":1,"message":"User root has stopped impersonating ext-contractor"}`
)

// lbAction returns a legacy audit line of user (meta.user, author id id)
// at 14:MM:SS of the test day.
func lbAction(user string, id int, mmss string) string {
	return fmt.Sprintf(`{"severity":"INFO","time":"2024-05-31T14:%s.173Z","correlation_id":"C-%s-%s","meta.user":%q,"meta.user_id":%d,"author_id":%d,"author_name":"N","entity_id":168,"entity_type":"Project","add":"user_access","target_id":11046,"target_type":"User","target_details":"User 11046","entity_path":"g/p"}`,
		mmss, user, mmss, user, id, id)
}

// lbLater is a line of the audit log every engine wants (a PAT creation)
// at 15:00, which moves the watermark past the session.
const lbLater = `{"severity":"INFO","time":"2024-05-31T15:00:00.450Z","id":21,"author_id":42,"entity_id":42,"entity_type":"User","details":{"event_name":"personal_access_token_created"},"event_name":"personal_access_token_created","custom_message":"Created personal access token with id 601","target_id":42,"target_type":"User","target_details":"A","entity_path":"alice","created_at":"2024-05-31T15:00:00.441Z"}`

// lbPAT is a legacy audit line (no event_name) of ext-contractor that
// falco.pat_created wants (its fallback predicate) and
// sentinel.impersonation's WantFilter drops while the user is not watched.
const lbPAT = `{"severity":"INFO","time":"2024-05-31T14:00:45.000Z","correlation_id":"C-pat","meta.user":"ext-contractor","meta.user_id":4711,"author_id":4711,"author_name":"N","entity_id":4711,"entity_type":"User","custom_message":"Created personal access token with id 77","target_id":4711,"target_type":"User","target_details":"N","entity_path":"ext-contractor"}`

// lbFeeder gives lines to an engine as the agent does: Want first
// (WantRules), then Process for a line a rule wants and Declined for a
// line a WantFilter dropped (both for a line other rules want), with the
// source's offsets.
type lbFeeder struct {
	t   *testing.T
	e   *Engine
	off map[string]int64
}

func (f *lbFeeder) feed(src, line string) {
	f.t.Helper()
	typ := parser.TypeAudit
	if strings.HasPrefix(src, "application") {
		typ = parser.TypeApplication
	}
	var rec parser.Record
	if err := parser.New(typ).Parse([]byte(line), &rec); err != nil {
		f.t.Fatalf("%s: %v", line, err)
	}
	rs := f.e.WantRules(typ, &rec)
	ev := NewEvent(&rec, []byte(line), src, OriginFile)
	ev.FileID, ev.Offset, ev.Rules = "1:"+src, f.off[src], rs
	f.off[src] += int64(len(line) + 1)
	if rs.Wanted() {
		f.e.Process(ev)
	}
	if rs.Declined() {
		f.e.Declined([]*Event{ev})
	}
}

// newLBEngine returns an engine running sentinel.impersonation (and
// falco.pat_created, which wants lbPAT) as
// the agent runs it (WantFirst), with params, state in dir (or none), and
// where its alerts go. The look-back is on (max_lookback 200000) unless
// params sets max_lookback.
func newLBEngine(t *testing.T, params map[string]string, dir string) (*Engine, *[]*Alert) {
	t.Helper()
	if _, ok := params["max_lookback"]; !ok {
		params = maps.Clone(params)
		if params == nil {
			params = map[string]string{}
		}
		params["max_lookback"] = "200000"
	}
	alerts := new([]*Alert)
	e, err := New(Config{
		Only: []string{"sentinel.impersonation", "falco.pat_created"}, Rules: map[string]RuleConfig{"sentinel.impersonation": {Params: params}},
		WantFirst: true, StateDir: dir,
		Now: func() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) },
		// An Emit keeps nothing of the alert past its call (see Emit): a copy.
		Emit: func(a *Alert) { a.detach(); *alerts = append(*alerts, a) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, alerts
}

// impAlerts returns "user@time" of each alert's action and its session's
// admin ("-" without a session).
func impAlerts(alerts []*Alert) []string {
	var out []string
	for _, a := range alerts {
		if a.Info.ID != "sentinel.impersonation" {
			continue
		}
		admin := a.Get("SessionAdmin")
		if a.Get("SessionStart") == "" {
			admin = "-"
		}
		out = append(out, a.Event.Get("meta.user")+"@"+a.Event.Get(parser.ColEventTime)[11:19]+"/"+admin)
	}
	return out
}

// TestImpersonationLookBack checks that an audit action Want declined
// because its session's start was not read yet (in another file) is
// attributed once the start is read, as detect attributes it; and only
// the actions of that user inside the session.
func TestImpersonationLookBack(t *testing.T) {
	type step struct{ src, line string }
	audit := func(l string) step { return step{"audit_json.log", l} }
	app := func(l string) step { return step{"application_json.log", l} }
	cases := []struct {
		name    string
		params  map[string]string
		steps   []step
		want    []string
		evicted uint64
	}{
		{name: "action read before its start",
			steps: []step{audit(lbAction("ext-contractor", 4711, "00:30")), app(lbStart), app(lbStop), audit(lbLater)},
			want:  []string{"ext-contractor@14:00:30/root"}},
		{name: "action of another user",
			steps: []step{audit(lbAction("li.wei", 41, "00:30")), app(lbStart), app(lbStop), audit(lbLater)}},
		{name: "action before the session",
			steps: []step{audit(lbAction("ext-contractor", 4711, "00:30")), app(strings.Replace(lbStart, "14:00:00", "14:01:00", 1)), app(lbStop), audit(lbLater)}},
		{name: "action after the stop",
			steps: []step{audit(lbAction("ext-contractor", 4711, "25:00")), app(lbStart), app(lbStop), audit(lbLater)}},
		{name: "several actions, one outside",
			steps: []step{audit(lbAction("ext-contractor", 4711, "00:30")), audit(lbAction("li.wei", 41, "00:31")),
				audit(lbAction("ext-contractor", 4711, "05:00")), audit(lbAction("ext-contractor", 4711, "21:00")), app(lbStart), app(lbStop), audit(lbLater)},
			want: []string{"ext-contractor@14:00:30/root", "ext-contractor@14:05:00/root"}},
		{name: "read after the start was folded",
			// The start is folded (the watermark passed it) before the
			// action, declined by a Want asked before the start was read,
			// reaches the engine.
			steps: []step{app(lbStart), app(strings.Replace(lbStop, "14:20:00", "14:02:30", 1)), audit(lbAction("ext-contractor", 4711, "02:00")), audit(lbLater)},
			want:  []string{"ext-contractor@14:02:00/root"}},
		{name: "action other rules want, read before its start",
			steps: []step{audit(lbPAT), app(lbStart), app(lbStop), audit(lbLater)},
			want:  []string{"ext-contractor@14:00:45/root"}},
		{name: "evicted at max_lookback", params: map[string]string{"max_lookback": "2"},
			steps: []step{audit(lbAction("ext-contractor", 4711, "00:30")), audit(lbAction("ext-contractor", 4711, "00:40")),
				audit(lbAction("ext-contractor", 4711, "00:50")), app(lbStart), app(lbStop), audit(lbLater)},
			want: []string{"ext-contractor@14:00:40/root", "ext-contractor@14:00:50/root"}, evicted: 1},
		{name: "no look-back", params: map[string]string{"max_lookback": "0"},
			steps: []step{audit(lbAction("ext-contractor", 4711, "00:30")), app(lbStart), app(lbStop), audit(lbLater)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, alerts := newLBEngine(t, c.params, "")
			f := &lbFeeder{t: t, e: e, off: map[string]int64{}}
			for i, s := range c.steps {
				if c.name == "read after the start was folded" && i == 2 {
					// Declined as by a Want asked before the start was read.
					ev := parseLB(t, s.line)
					ev.Source, ev.FileID, ev.Rules = s.src, "1:"+s.src, RuleSet{recheck: 1}
					e.Advance(tAtLB("14:01:00"))
					e.Declined([]*Event{ev})
					continue
				}
				f.feed(s.src, s.line)
			}
			e.Advance(tAtLB("16:00:00"))
			if got := impAlerts(*alerts); strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("alerts %q, want %q", got, c.want)
			}
			if got := e.Stats().Rules["sentinel.impersonation"].LookBackEvicted; got != c.evicted {
				t.Errorf("LookBackEvicted = %d, want %d", got, c.evicted)
			}
		})
	}
}

// impRule returns e's sentinel.impersonation.
func impRule(e *Engine) *impersonation {
	for _, r := range e.rules {
		if imp, ok := r.rule.(*impersonation); ok {
			return imp
		}
	}
	panic("no sentinel.impersonation")
}

// parseLB parses an audit line into an event.
func parseLB(t *testing.T, line string) *Event {
	t.Helper()
	return lineEvent(t, parser.TypeAudit, "audit_json.log", line)
}

// tAtLB returns hh:mm:ss of the test day.
func tAtLB(hms string) time.Time {
	t, err := time.Parse(time.RFC3339, "2024-05-31T"+hms+"Z")
	if err != nil {
		panic(err)
	}
	return t
}

// TestImpersonationLookBackProcessedAfterAll checks that a line other
// rules want, which the WantFilter dropped when Want was asked but which
// Process gave the rule after all (the start was let through by Want
// meanwhile, and the filter was asked again), is not also held in the
// look-back: it alerts once and leaves the look-back empty.
func TestImpersonationLookBackProcessedAfterAll(t *testing.T) {
	e, alerts := newLBEngine(t, nil, "")
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse([]byte(lbPAT), &rec); err != nil {
		t.Fatal(err)
	}
	rs := e.WantRules(parser.TypeAudit, &rec)
	if !rs.Wanted() || !rs.Declined() {
		t.Fatalf("the PAT line: wanted %v, declined %v; want both (falco.pat_created wants it, the watch is empty)", rs.Wanted(), rs.Declined())
	}
	f := &lbFeeder{t: t, e: e, off: map[string]int64{"audit_json.log": 100}}
	f.feed("application_json.log", lbStart) // Want sets the watch
	ev := NewEvent(&rec, []byte(lbPAT), "audit_json.log", OriginFile)
	ev.FileID, ev.Offset, ev.Rules = "1:audit_json.log", 0, rs
	e.Process(ev)
	e.Declined([]*Event{ev})
	if n := impRule(e).lb.len(); n != 0 {
		t.Errorf("%d lines in the look-back, want none: Process gave the rule the line", n)
	}
	f.feed("application_json.log", lbStop)
	f.feed("audit_json.log", lbLater)
	e.Advance(tAtLB("16:00:00"))
	if got, want := impAlerts(*alerts), []string{"ext-contractor@14:00:45/root"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("alerts %q, want %q", got, want)
	}
}

// TestImpersonationLookBackRestart checks that the look-back is saved with
// the rule's state: an action declined before a save is attributed after
// the restart when the start is read then, once, even when the restarted
// agent reads the action's line again (at-least-once reading).
func TestImpersonationLookBackRestart(t *testing.T) {
	dir := t.TempDir()
	action := lbAction("ext-contractor", 4711, "00:30")
	e1, alerts1 := newLBEngine(t, nil, dir)
	f1 := &lbFeeder{t: t, e: e1, off: map[string]int64{}}
	f1.feed("audit_json.log", action)
	if err := e1.Save(); err != nil {
		t.Fatal(err)
	}
	if len(*alerts1) != 0 {
		t.Fatalf("alerts before the start: %q", impAlerts(*alerts1))
	}

	e2, alerts2 := newLBEngine(t, nil, dir)
	f2 := &lbFeeder{t: t, e: e2, off: map[string]int64{}}
	held := func() int { return impRule(e2).lb.len() }
	if n := held(); n != 1 {
		t.Fatalf("%d lines in the restored look-back, want the action", n)
	}
	f2.feed("audit_json.log", action) // read again from the same offset
	if n := held(); n != 1 {
		t.Fatalf("%d lines in the look-back after the action was read again, want 1", n)
	}
	f2.feed("application_json.log", lbStart)
	f2.feed("application_json.log", lbStop)
	f2.feed("audit_json.log", lbLater)
	e2.Advance(tAtLB("16:00:00"))
	if got, want := impAlerts(*alerts2), []string{"ext-contractor@14:00:30/root"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after the restart: alerts %q, want %q", got, want)
	}
}

// TestKeepsDeclined checks that the look-back is off by default, so that
// the agent makes no events of the lines no rule wants, and on when both
// of its caps are above 0.
func TestKeepsDeclined(t *testing.T) {
	for _, c := range []struct {
		params map[string]string
		want   bool
	}{
		{nil, false},
		{map[string]string{"max_lookback": "0"}, false},
		{map[string]string{"max_lookback": "10"}, true},
		{map[string]string{"max_lookback": "10", "max_lookback_bytes": "0"}, false},
	} {
		e, err := New(Config{Only: []string{"sentinel.impersonation"},
			Rules: map[string]RuleConfig{"sentinel.impersonation": {Params: c.params}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := e.KeepsDeclined(); got != c.want {
			t.Errorf("params %v: KeepsDeclined %v, want %v", c.params, got, c.want)
		}
	}
}
