package detect

import (
	"slices"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// impNamedActionEv returns an Auditor action of user 3 under
// impersonation: EventID id of request corr, with EventName name ("":
// a line written without it).
func impNamedActionEv(when time.Time, id, corr, name string) *Event {
	return auditEv("audit_json.log", when, parser.ColAuthorID, "3", parser.ColAuthorName, "John Doe",
		parser.ColEventID, id, parser.ColCorrelationID, corr, parser.ColEventName, name,
		parser.ColImpersonatedBy, "Administrator", "meta.user", "jdoe")
}

// impAppStartEv is the application log's start of the impersonation of
// jdoe by root.
func impAppStartEv(when time.Time) *Event {
	return &Event{Type: parser.TypeApplication, Time: when, Source: "application_json.log", Origin: OriginFile,
		Columns: []Column{{parser.ColEventKind, parser.KindImpersonationStarted}, {parser.ColUsername, "root"},
			{parser.ColTargetUser, "jdoe"}, {"meta.user_id", "1"}}}
}

// impAppActionEv is the application log's project creation by jdoe in
// request corr.
func impAppActionEv(when time.Time, corr string) *Event {
	return &Event{Type: parser.TypeApplication, Time: when, Source: "application_json.log", Origin: OriginFile,
		Columns: []Column{{parser.ColEventKind, parser.KindProjectCreated}, {"meta.user", "jdoe"},
			{"meta.user_id", "3"}, {parser.ColCorrelationID, corr}}}
}

// TestImpersonationOneAlertPerAuditEvent checks that sentinel.impersonation
// alerts once per audit event, not once per request: distinct audit events
// of one request (one CorrelationID, several EventIDs) each alert, while
// copies of one event still alert once: the same EventID twice (a line
// with and without EventName, which the engine's dedupe tells apart), and
// an application-log action with the audit event of its request, in
// either order.
func TestImpersonationOneAlertPerAuditEvent(t *testing.T) {
	const req = "01HQACT0000000000000000009"
	cases := []struct {
		name string
		evs  []*Event
		want []string // the alerts' EventIDs in order ("app": an application-log action)
	}{
		{"two events of one request", []*Event{
			impNamedActionEv(tAt("5m"), "6001", req, "project_visibility_level_updated"),
			impNamedActionEv(tAt("5m10ms"), "6002", req, "project_path_updated"),
		}, []string{"6001", "6002"}},
		{"one event twice", []*Event{
			impNamedActionEv(tAt("5m"), "6001", req, ""),
			impNamedActionEv(tAt("5m"), "6001", req, "member_created"),
		}, []string{"6001"}},
		{"application action, then its audit event", []*Event{
			impAppActionEv(tAt("5m"), req),
			impNamedActionEv(tAt("5m1ms"), "6001", req, "project_created"),
		}, []string{"app"}},
		{"audit event, then its application action", []*Event{
			impNamedActionEv(tAt("5m"), "6001", req, "project_created"),
			impAppActionEv(tAt("5m1ms"), req),
		}, []string{"6001"}},
		{"application action and two audit events", []*Event{
			impAppActionEv(tAt("5m"), req),
			impNamedActionEv(tAt("5m1ms"), "6001", req, "project_created"),
			impNamedActionEv(tAt("5m2ms"), "6002", req, "member_created"),
		}, []string{"app", "6002"}},
		{"two audit events and an application action", []*Event{
			impNamedActionEv(tAt("5m"), "6001", req, "project_created"),
			impNamedActionEv(tAt("5m1ms"), "6002", req, "member_created"),
			impAppActionEv(tAt("5m2ms"), req),
		}, []string{"6001", "6002"}},
		{"two requests", []*Event{
			impNamedActionEv(tAt("5m"), "6001", req, "member_created"),
			impNamedActionEv(tAt("6m"), "6002", "01HQACT0000000000000000010", "member_created"),
		}, []string{"6001", "6002"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var alerts []*Alert
			e, _ := engineFor(t, "sentinel.impersonation", nil, &alerts)
			e.Process(impStartEv("audit_json.log", tAt("0s")))
			e.Process(impAppStartEv(tAt("0s")))
			for _, ev := range c.evs {
				e.Process(ev)
			}
			e.Process(impStopEv("audit_json.log", tAt("20m")))
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range alerts {
				id := "app"
				if a.Event.Type == parser.TypeAudit {
					id = a.Event.Get(parser.ColEventID)
				}
				got = append(got, id)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("alerts for %v, want %v", got, c.want)
			}
		})
	}
}
