package detect

import (
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// signinEngine returns an engine running sentinel.signin_burst alone on
// the test GeoIP database with params and lateness, and the alerts it
// emits.
func signinEngine(t *testing.T, params map[string]string, lateness time.Duration) (*Engine, *[]*Alert) {
	t.Helper()
	var alerts []*Alert
	e, err := New(Config{Only: []string{"sentinel.signin_burst"}, Geo: testGeoDB(t), Lateness: lateness,
		Rules: map[string]RuleConfig{"sentinel.signin_burst": {Params: params}},
		Emit:  func(a *Alert) { a.detach(); alerts = append(alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	return e, &alerts
}

// appLogin returns an application-log successful_login of user from ip.
func appLogin(user, ip string, when time.Time) *Event {
	return &Event{Type: parser.TypeApplication, Time: when, Source: "application_json.log", Origin: OriginFile,
		Columns: []Column{{parser.ColEventKind, parser.KindSuccessfulLogin}, {parser.ColUsername, user}, {parser.ColIPAddress, ip}}}
}

// TestSigninBurstOutOfOrder: a sign-in that completes a burst but comes
// after a newer one of the user (within the window) gives the alert of
// time order: the window ends at the newest sign-in (window_end not before
// last_event), with the same alert_id, time, window and first and last
// events. Also when the user holds an earlier run (a lateness above the
// window keeps it), where the sign-in is judged with best.
func TestSigninBurstOutOfOrder(t *testing.T) {
	ips := map[string]string{"0m": "81.2.69.142", "100m": "89.160.20.112", "130m": "81.2.69.142", "150m": "175.16.199.10"} // GB, SE, GB, CN
	for _, tc := range []struct {
		name      string
		lateness  time.Duration
		sorted    []string
		reordered []string
	}{
		{"newest first", 0, []string{"100m", "130m"}, []string{"130m", "100m"}},
		{"with an earlier run", 24 * time.Hour, []string{"0m", "100m", "150m"}, []string{"0m", "150m", "100m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(order []string) *Alert {
				t.Helper()
				e, alerts := signinEngine(t, nil, tc.lateness)
				for _, d := range order {
					e.Process(appLogin("alice", ips[d], tAt(d)))
				}
				if len(*alerts) != 1 {
					t.Fatalf("order %v: %d alerts, want 1", order, len(*alerts))
				}
				return (*alerts)[0]
			}
			newest := tAt(tc.sorted[len(tc.sorted)-1])
			want, got := run(tc.sorted), run(tc.reordered)
			if !want.WindowEnd.Equal(newest) || !want.LastEvent.Equal(newest) {
				t.Fatalf("in order: window_end %s last_event %s, want both %s", ts(want.WindowEnd), ts(want.LastEvent), ts(newest))
			}
			if got.ID != want.ID || got.Count != want.Count || !got.Time.Equal(want.Time) ||
				!got.WindowStart.Equal(want.WindowStart) || !got.WindowEnd.Equal(want.WindowEnd) ||
				!got.FirstEvent.Equal(want.FirstEvent) || !got.LastEvent.Equal(want.LastEvent) || got.Get("Countries") != want.Get("Countries") {
				t.Errorf("order %v: alert %s count %d time %s window %s..%s events %s..%s %s;\nwant %s count %d time %s window %s..%s events %s..%s %s", tc.reordered,
					got.ID, got.Count, ts(got.Time), ts(got.WindowStart), ts(got.WindowEnd), ts(got.FirstEvent), ts(got.LastEvent), got.Get("Countries"),
					want.ID, want.Count, ts(want.Time), ts(want.WindowStart), ts(want.WindowEnd), ts(want.FirstEvent), ts(want.LastEvent), want.Get("Countries"))
			}
		})
	}
}

// TestSigninBurstLegacyRemoteIP: GitLab's legacy audit sign-in lines
// (`with`, no EventName) carry their address only in meta.remote_ip; the
// rule takes it when the line has no IPAddress, looks its country up and
// names it as the alert's IPAddress. A line with an IPAddress is judged by
// it, whatever its meta.remote_ip.
func TestSigninBurstLegacyRemoteIP(t *testing.T) {
	e, alerts := signinEngine(t, nil, 0)
	legacy := func(when, user string, cols ...string) *Event {
		return auditEv("audit_json.log", tAt(when), append([]string{parser.ColAuthenticationType, "standard",
			"meta.user", user, parser.ColEntityType, "User"}, cols...)...)
	}
	e.Process(legacy("0m", "alice", colMetaRemoteIP, "81.2.69.142"))                                     // GB
	e.Process(legacy("10m", "bob", colMetaRemoteIP, "81.2.69.142"))                                      // GB
	e.Process(legacy("20m", "bob", parser.ColIPAddress, "81.2.69.10", colMetaRemoteIP, "175.16.199.10")) // GB by IPAddress
	e.Process(legacy("30m", "alice", colMetaRemoteIP, "175.16.199.10"))                                  // CN: burst
	if len(*alerts) != 1 {
		t.Fatalf("%d alerts, want 1 (alice GB then CN by meta.remote_ip)", len(*alerts))
	}
	a := (*alerts)[0]
	if a.Get(parser.ColUsername) != "alice" || a.Get("Countries") != "GB,CN" || a.Get(parser.ColIPAddress) != "175.16.199.10" ||
		a.Get("CountryISOCode") != "CN" {
		t.Errorf("alert %v, want alice GB,CN from 175.16.199.10 (CN)", a.Columns)
	}
	if n := e.Stats().Rules["sentinel.signin_burst"].Skipped; n != 0 {
		t.Errorf("Skipped = %d, want 0", n)
	}
}
