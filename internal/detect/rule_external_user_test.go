package detect

import (
	"errors"
	"strings"
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
		{"allowed domain with spaces around the address", []*Event{appUserCreated(" a@Corp.Example ", "c1", t0)},
			time.Time{}, 0, ""},
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

// TestExternalUserAllowedDomains: the forms users write in
// allowed_domains. A trailing dot is the same domain, in allowed_domains
// and in the address; *.D allows the
// subdomains of D only; a URL, an e-mail address, a port, a wildcard
// elsewhere and a name with an empty label are refused with the domain to
// write (before, they were accepted and never matched: every new user
// alerted).
func TestExternalUserAllowedDomains(t *testing.T) {
	tests := []struct {
		allowed string
		email   string // a user created with this address
		alert   bool
		err     string // substring of the error refusing allowed_domains; "" for none
	}{
		{"corp.example", "a@corp.example", false, ""},
		{"corp.example", "a@dev.corp.example", false, ""},
		{"corp.example", "a@notcorp.example", true, ""},
		{"@Corp.Example", "a@corp.example", false, ""},
		{"corp.example.", "a@corp.example", false, ""},
		{"corp.example.", "a@dev.corp.example", false, ""},
		{"corp.example", "a@corp.example.", false, ""}, // the address's trailing dot too (trial 74)
		{"corp.example", "a@notcorp.example.", true, ""},
		{"*.corp.example", "a@dev.corp.example.", false, ""},
		{"example.org, corp.example.", "a@Corp.Example", false, ""},
		{"*.corp.example", "a@dev.corp.example", false, ""},
		{"*.corp.example", "a@a.b.corp.example", false, ""},
		{"*.corp.example", "a@corp.example", true, ""},
		{"*.corp.example", "a@notcorp.example", true, ""},
		{"*.corp.example.", "a@dev.corp.example", false, ""},
		{"*.corp.example,corp.example", "a@corp.example", false, ""},
		{"corp.example", " a@corp.example\t", false, ""},
		// White space after the @ is not the allowed domain's (fresh-user
		// trial 265: "eve@ corp.example" was taken for corp.example).
		{"corp.example", "eve@ corp.example", true, ""},
		{"corp.example", "eve@corp.example .evil.example", true, ""},
		{"corp.example", "eve@\tdev.corp.example", true, ""},
		{"corp.example", "corp.example", true, ""}, // no @: no domain (trial 273)
		{"https://corp.example", "", false, `"https://corp.example" is a URL, which no e-mail address has: write the domain, corp.example (`},
		{"https://Corp.Example:8443/users/", "", false, "write the domain, corp.example ("},
		{"example.org,http://corp.example.", "", false, `"http://corp.example." is a URL, which no e-mail address has: write the domain, corp.example (`},
		{"alice@corp.example", "", false, `"alice@corp.example" is an e-mail address: write its domain, corp.example (`},
		// The hint's wildcard example is the domain the user wrote.
		{"https://mail.acme.io/x", "", false, `"https://mail.acme.io/x" is a URL, which no e-mail address has: write the domain, mail.acme.io (an entry allows that domain and its subdomains; *.acme.io allows every subdomain of acme.io, not acme.io itself)`},
		{"https://acme.io", "", false, `"https://acme.io" is a URL, which no e-mail address has: write the domain, acme.io (an entry allows that domain and its subdomains; *.acme.io allows its subdomains only)`},
		{"bob@Staff.Acme.IO", "", false, `"bob@Staff.Acme.IO" is an e-mail address: write its domain, staff.acme.io (an entry allows that domain and its subdomains; *.acme.io allows every subdomain of acme.io, not acme.io itself)`},
		{"acme.io:25", "", false, `"acme.io:25" is not a domain (it has a port): write the domain, acme.io (an entry allows that domain and its subdomains; *.acme.io allows its subdomains only)`},
		{"corp.example:443", "", false, "(it has a port): write the domain, corp.example ("},
		{"corp.example/", "", false, "(it has a path): write the domain, corp.example ("},
		{"*corp.example", "", false, "write corp.example (the domain and its subdomains) or *.corp.example (its subdomains only)"},
		{"corp.*.example", "", false, "write corp.example"},
		{"*", "", false, "allows every domain: to alert on no user creation, turn the rule off (enabled: false)"},
		{"corp..example", "", false, "an empty label"},
		{".", "", false, "is not a domain"},
		{"corp example", "", false, `(it has ' ')`},
		// fresh-user trial 111: a single label (a typo, a YAML number)
		// passed, and every user creation alerted
		{"corp_example", "", false, `"corp_example" is not an e-mail domain (it has no dot;`},
		{"42", "", false, `"42" is not an e-mail domain (it has no dot;`},
		{"corp.example,", "", false, "has an empty item (two commas in a row, or one at an end): write the list without it, corp.example"},
	}
	for _, tt := range tests {
		t.Run(tt.allowed+" "+tt.email, func(t *testing.T) {
			r, err := newExternalUser(NewParams("sentinel.external_user", map[string]string{"allowed_domains": tt.allowed}, nil), nil)
			if tt.err != "" {
				var pe *ParamError
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &pe) || pe.Param != "allowed_domains" {
					t.Fatalf("err = %v; want a parameter error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			emit := func(*Alert) { n++ }
			r.Observe(appUserCreated(tt.email, "c1", t0), time.Now, emit)
			r.Close(emit)
			if (n > 0) != tt.alert {
				t.Errorf("%d alerts, want alert %v", n, tt.alert)
			}
		})
	}
}

// TestExternalUserDomainColumn: the alert's Domain is the address's
// domain lower-cased, without a trailing dot or the white space around
// the address (hunt 159 #3: "( u11@Corp.Example )" gave "corp.example ").
func TestExternalUserDomainColumn(t *testing.T) {
	for _, email := range []string{"u11@Evil.Example", " u11@Evil.Example ", "u11@evil.example.", "\tu11@EVIL.example.\t"} {
		r, err := newExternalUser(NewParams("sentinel.external_user", map[string]string{"allowed_domains": "corp.example"}, nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []*Alert
		r.Observe(appUserCreated(email, "c1", t0), time.Now, func(a *Alert) { got = append(got, a) })
		r.Close(func(a *Alert) { got = append(got, a) })
		if len(got) != 1 {
			t.Fatalf("%q: %d alerts, want 1", email, len(got))
		}
		if d := got[0].Get("Domain"); d != "evil.example" {
			t.Errorf("%q: Domain %q, want %q", email, d, "evil.example")
		}
	}
}
