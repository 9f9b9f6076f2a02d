package detect

import (
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func appUserCreated(email, cid string, when time.Time) *Event {
	return &Event{Type: parser.TypeApplication, Time: when, Source: "application_json.log", Columns: []Column{
		{parser.ColCorrelationID, cid}, {parser.ColEventKind, parser.KindUserCreated},
		{parser.ColUsername, "New User"}, {parser.ColEmailAddress, email}}}
}

func auditAddUser(cid string, when time.Time) *Event {
	return &Event{Type: parser.TypeAudit, Time: when, Source: "audit_json.log", Columns: []Column{
		{parser.ColCorrelationID, cid}, {parser.ColAuthorName, "Administrator"}, {parser.ColAddAction, "user"},
		{parser.ColIPAddress, "192.0.2.50"}, {parser.ColEntityPath, "newuser"}}}
}

// TestExternalUserJoin covers the CorrelationID join: the audit line
// before or after the application line, outside ±60 s, absent (the alert
// leaves when the watermark passes +60 s), and at Close.
func TestExternalUserJoin(t *testing.T) {
	tests := []struct {
		name       string
		events     []*Event
		advance    time.Time // zero: Close instead
		wantAlerts int
		wantAuthor string
	}{
		{"audit line after", []*Event{appUserCreated("a@evil.test", "c1", t0), auditAddUser("c1", t0.Add(2*time.Second))},
			time.Time{}, 1, "Administrator"},
		{"audit line before", []*Event{auditAddUser("c1", t0), appUserCreated("a@evil.test", "c1", t0.Add(time.Second))},
			time.Time{}, 1, "Administrator"},
		{"audit line too late", []*Event{appUserCreated("a@evil.test", "c1", t0), auditAddUser("c1", t0.Add(61*time.Second))},
			time.Time{}, 1, ""},
		{"no audit line: out when the watermark passes +60s", []*Event{appUserCreated("a@evil.test", "c1", t0)},
			t0.Add(60 * time.Second), 1, ""},
		{"no audit line: held before +60s", []*Event{appUserCreated("a@evil.test", "c1", t0)},
			t0.Add(59 * time.Second), 0, ""},
		{"allowed domain and subdomain", []*Event{appUserCreated("a@Corp.Example", "c1", t0), appUserCreated("b@dev.corp.example", "c2", t0)},
			time.Time{}, 0, ""},
		{"look-alike domain", []*Event{appUserCreated("a@notcorp.example", "c1", t0)}, time.Time{}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newExternalUser(NewParams("sentinel.external_user", map[string]string{"allowed_domains": "corp.example"}, nil), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []*Alert
			emit := func(a *Alert) { got = append(got, a) }
			for _, ev := range tt.events {
				r.Observe(ev, time.Now, emit)
			}
			if tt.advance.IsZero() {
				r.Close(emit)
			} else {
				r.Advance(tt.advance, emit)
			}
			if len(got) != tt.wantAlerts {
				t.Fatalf("%d alerts, want %d", len(got), tt.wantAlerts)
			}
			if len(got) > 0 && got[0].Get(parser.ColAuthorName) != tt.wantAuthor {
				t.Errorf("AuthorName = %q, want %q", got[0].Get(parser.ColAuthorName), tt.wantAuthor)
			}
		})
	}
}
