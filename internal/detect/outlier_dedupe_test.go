package detect

import (
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestOutlierNotRemembered: an event taken for a wrong time (Outlier: a
// stream body GitLab sent again after later ones, 1h out of place) goes
// to the per-event rules only and is not remembered among the event ids,
// so that its copy read in order (the audit log's line) still reaches the
// windowed rules; the per-event alert of the copy, with the same
// alert_id, is dropped as a repeat. Before, the outlier's id made the
// copy a duplicate: sentinel.pat_over_time never counted the event and
// missed a user's two tokens (fresh-user trial 258).
func TestOutlierNotRemembered(t *testing.T) {
	type raised struct {
		rule  string
		count int
	}
	var alerts []raised
	e, err := New(Config{Only: []string{"sentinel.pat_over_time", "falco.pat_created"},
		Emit: func(a *Alert) { alerts = append(alerts, raised{a.Info.ID, a.Count}) }})
	if err != nil {
		t.Fatal(err)
	}
	pat := func(src, when, id string) *Event {
		ev := auditEv(src, tAt(when), parser.ColEventID, id, parser.ColEventName, "personal_access_token_created",
			parser.ColAuthorName, "Ivy I", parser.ColEntityPath, "ivy",
			parser.ColCustomMessage, "Created personal access token with id "+id)
		if src == "stream" {
			ev.Origin = OriginStream
		}
		return ev
	}
	out := pat("stream", "1h", "3")
	out.Outlier = true
	e.Process(out)
	e.Process(pat("audit_json.log", "1h", "3")) // the same event, read in order
	e.Process(pat("audit_json.log", "2h", "4"))
	e.Finish()
	var perEvent, windowed []raised
	for _, a := range alerts {
		if a.rule == "falco.pat_created" {
			perEvent = append(perEvent, a)
		} else {
			windowed = append(windowed, a)
		}
	}
	if len(perEvent) != 2 {
		t.Errorf("falco.pat_created raised %d alerts, want 2 (tokens 3 and 4, the copy of 3 dropped as a repeat)", len(perEvent))
	}
	if len(windowed) != 1 || windowed[0].count != 2 {
		t.Fatalf("sentinel.pat_over_time raised %d alerts, want 1 with count 2: %+v", len(windowed), windowed)
	}
}
