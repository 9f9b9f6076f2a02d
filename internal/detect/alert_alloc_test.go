package detect

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestPerEventAlertAllocs checks what an alert of a per-event rule costs
// in allocations: none. The rule reuses its Alert (eventAlert, with room
// for its Key and EventIDs), which an Emit may not keep; the alert_id's
// text is a piece of the engine's slab.
// The events are made before the measure, and the engine's maps (recent
// event and alert ids, suppression) have grown to hold them all.
func TestPerEventAlertAllocs(t *testing.T) {
	const n = 2000
	alerts, ids, check := 0, map[string]bool{}, true
	var kept [][2]string // the alert_ids as emitted, and a copy
	e, err := New(Config{Only: []string{"falco.pat_created"}, MaxRecent: 4 * n,
		Emit: func(a *Alert) {
			alerts++
			if !check {
				return
			}
			if ids[a.ID] {
				t.Errorf("alert_id %s twice", a.ID)
			}
			if a.ID != AlertID(a.Info.ID, a.Key, a.anchor()) {
				t.Errorf("alert_id %s, want AlertID %s", a.ID, AlertID(a.Info.ID, a.Key, a.anchor()))
			}
			if len(a.EventIDs) != 1 || a.EventIDs[0] != a.Event.Get(parser.ColEventID) {
				t.Errorf("EventIDs %q of event %q", a.EventIDs, a.Event.Get(parser.ColEventID))
			}
			ids[a.ID] = true
			kept = append(kept, [2]string{a.ID, strings.Clone(a.ID)})
		}})
	if err != nil {
		t.Fatal(err)
	}
	evs := make([]*Event, 2*n)
	for i := range evs {
		evs[i] = auditEvent(strconv.Itoa(i+1), "personal_access_token_created", "alice", t0.Add(time.Duration(i)*time.Millisecond), "stream", 0)
	}
	for _, ev := range evs[:n] { // the maps grow
		e.Process(ev)
	}
	check = false // the checks allocate
	i := n
	got := testing.AllocsPerRun(n-1, func() {
		e.Process(evs[i])
		i++
	})
	if alerts != 2*n {
		t.Fatalf("%d alerts of %d events", alerts, 2*n)
	}
	for _, k := range kept { // later alert_ids did not overwrite them
		if k[0] != k[1] {
			t.Errorf("alert_id %s became %s", k[1], k[0])
		}
	}
	if got > 0 {
		t.Errorf("%.2f allocations per alert of a per-event rule, want 0", got)
	}
}
