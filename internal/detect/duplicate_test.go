package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestDuplicateCopies checks which copies of an audit event Engine.duplicate
// counts once (detections.md §2.2: the same EventID is one event): a file
// line without event_name (a GitLab release that wrote none) and the
// streamed body of the same event, which has event_type, in either order;
// but not two events of one id and creation time with different names. Each
// case runs on events parsed from lines (whose identity is computed as they
// are made) and on events built by hand (whose identity duplicate reads
// from their columns).
func TestDuplicateCopies(t *testing.T) {
	type ev struct{ id, name, created string }
	const at = "2025-03-04T12:09:59.993Z"
	cases := []struct {
		name string
		evs  []ev
		want []bool // duplicate's answer for each event
	}{
		{"named then unnamed", []ev{{"5064", "personal_access_token_created", at}, {"5064", "", at}}, []bool{false, true}},
		{"unnamed then named", []ev{{"5064", "", at}, {"5064", "personal_access_token_created", at}}, []bool{false, true}},
		{"unnamed twice", []ev{{"5064", "", at}, {"5064", "", at}}, []bool{false, true}},
		{"named twice", []ev{{"5064", "a", at}, {"5064", "a", at}}, []bool{false, true}},
		{"two names, then unnamed", []ev{{"5064", "a", at}, {"5064", "b", at}, {"5064", "", at}}, []bool{false, false, true}},
		{"unnamed, then two names", []ev{{"5064", "", at}, {"5064", "a", at}, {"5064", "b", at}}, []bool{false, true, true}},
		{"another time", []ev{{"5064", "a", at}, {"5064", "", "2025-03-04T12:09:59.994Z"}}, []bool{false, false}},
		{"another id", []ev{{"5064", "", at}, {"5065", "a", at}}, []bool{false, false}},
	}
	for _, c := range cases {
		for _, how := range []string{"parsed", "by hand"} {
			t.Run(c.name+"/"+how, func(t *testing.T) {
				e := newTestEngine(t, t.TempDir(), new([]*Alert))
				for i, x := range c.evs {
					var got bool
					if how == "parsed" {
						got = e.duplicate(parsedAudit(t, x.id, x.name, x.created))
					} else {
						got = e.duplicate(handAudit(t, x.id, x.name, x.created))
					}
					if got != c.want[i] {
						t.Errorf("event %d %+v: duplicate %v, want %v", i, x, got, c.want[i])
					}
				}
			})
		}
	}
}

// parsedAudit returns the Event of an audit_json.log line of id, event
// name (none when "") and created_at.
func parsedAudit(t *testing.T, id, name, created string) *Event {
	t.Helper()
	named := ""
	if name != "" {
		named = fmt.Sprintf(`"event_name":%q,`, name)
	}
	line := fmt.Sprintf(`{"severity":"INFO","time":"2025-03-04T12:10:00.000Z","id":%s,%s"author_id":42,"entity_id":42,"entity_type":"User","author_name":"Alice","created_at":%q}`, id, named, created)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse([]byte(line), &rec); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	ev := NewEvent(&rec, []byte(line), "audit_json.log", OriginFile)
	if st := ev.identity(); st != identKeyed && st != identNamed {
		t.Fatalf("%s: identity not computed as the event was made", line)
	}
	return ev
}

// handAudit returns an Event without index of the same columns.
func handAudit(t *testing.T, id, name, created string) *Event {
	t.Helper()
	when, err := time.Parse(time.RFC3339Nano, created)
	if err != nil {
		t.Fatal(err)
	}
	ev := &Event{Type: parser.TypeAudit, Time: when, Source: "stream", Origin: OriginStream}
	for _, c := range []Column{{parser.ColEventID, id}, {parser.ColEventName, name}, {parser.ColCreatedAt, created}} {
		if c.Value != "" {
			ev.Columns = append(ev.Columns, c)
		}
	}
	if ev.identity() != identUnknown {
		t.Fatal("an Event built by hand has an index")
	}
	return ev
}
