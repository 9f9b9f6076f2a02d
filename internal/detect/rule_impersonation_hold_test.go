package detect

import (
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// reusedLine is an event whose Raw and column values live in buf, as the
// agent's EventArena makes them: the caller overwrites buf after Process.
func reusedLine(buf []byte, when time.Time, author string, id int) *Event {
	line := fmt.Sprintf(`{"author_id":%q,"id":"%06d","custom_message":"Added user access"}`, author, id)
	n := copy(buf, line)
	raw := unsafe.String(&buf[0], n)
	ev := &Event{Type: parser.TypeAudit, Time: when, Raw: raw, Source: "audit_json.log", Origin: OriginFile}
	at := func(v string) string { // the value's bytes in raw
		for i := 0; i+len(v) <= len(raw); i++ {
			if raw[i:i+len(v)] == v {
				return raw[i : i+len(v)]
			}
		}
		panic(v)
	}
	ev.Columns = []Column{{parser.ColAuthorID, at(`"` + author + `"`)[1 : len(author)+1]},
		{parser.ColEventID, at(fmt.Sprintf("%06d", id))}, {parser.ColCustomMessage, "Added user access"}}
	return ev
}

// TestImpersonationHeldStorage checks the contract of the held copies
// (heldPool): an action held past Observe keeps its line and values when
// the caller overwrites the line's storage, every alert of actions held in
// recycled slots names its own action, and in the steady state holding an
// action and evaluating it allocates nothing.
func TestImpersonationHeldStorage(t *testing.T) {
	var alerts []string
	emit := func(a *Alert) {
		alerts = append(alerts, a.Event.Raw+" "+a.Event.Get(parser.ColEventID)+" "+a.Get("ImpersonatedUser"))
	}
	_, rule := engineFor(t, "sentinel.impersonation", nil, new([]*Alert))
	r := rule.(*impersonation)
	r.Observe(impStartEv("audit_json.log", tAt("0s")), nil, emit)
	buf := make([]byte, 256)
	id := 0
	for round := range 5 {
		var want []string
		base := tAt("1m").Add(time.Duration(round) * time.Minute)
		for i := range 20 {
			id++
			author := "3" // the impersonated user: an action of the session
			if i%2 == 1 {
				author = "4" // another user: held, evaluated, no alert
			}
			ev := reusedLine(buf, base.Add(time.Duration(i)*time.Second), author, id)
			if author == "3" {
				want = append(want, ev.Raw+" "+fmt.Sprintf("%06d", id)+" jdoe")
			}
			r.Observe(ev, nil, emit)
			clear(buf) // the caller reuses the line's storage
		}
		alerts = alerts[:0]
		r.Advance(base.Add(time.Minute), emit)
		if fmt.Sprint(alerts) != fmt.Sprint(want) {
			t.Fatalf("round %d: alerts\n%q\nwant\n%q", round, alerts, want)
		}
	}
	if len(r.pool.free) == 0 {
		t.Fatal("no slot went back to the pool")
	}
	// Steady state: an action of a user without a session, held and then
	// evaluated, allocates nothing (the event is made before measuring).
	next := tAt("10m")
	ev := reusedLine(buf, next, "4", 999)
	if n := testing.AllocsPerRun(100, func() {
		next = next.Add(time.Second)
		ev.Time = next
		r.Observe(ev, nil, emit)
		r.Advance(next.Add(time.Nanosecond), emit)
	}); n != 0 {
		t.Errorf("%v allocations per held action, want 0", n)
	}
}
